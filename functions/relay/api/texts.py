"""What the API says to people, in French and English. Codes are the API's contract."""

from __future__ import annotations

FIELD_ERRORS = {
    "required": {
        "fr": "Ce champ est obligatoire.",
        "en": "This field is required.",
    },
    "too_long": {
        "fr": "Ce texte est trop long.",
        "en": "This text is too long.",
    },
    "invalid": {
        "fr": "Cette valeur n'est pas valide.",
        "en": "This value is not valid.",
    },
    "invalid_choice": {
        "fr": "Choisissez une valeur dans la liste.",
        "en": "Choose a value from the list.",
    },
    "not_a_number": {
        "fr": "Indiquez votre âge en chiffres, par exemple 16.",
        "en": "Enter your age as a number, for example 16.",
    },
    "too_young": {
        "fr": (
            "Passerelle est réservée aux 14 à 30 ans. Tu es plus jeune? Parles-en à un "
            "adulte de confiance, à ton école ou à Tel-jeunes (teljeunes.com, 1 800 263-2266) : "
            "ils peuvent t'aider à explorer les métiers."
        ),
        "en": (
            "Passerelle is for people aged 14 to 30. Younger than that? Talk to a trusted adult, "
            "your school or Kids Help Phone (kidshelpphone.ca, 1 800 668-6868): they can help "
            "you explore careers."
        ),
    },
    "too_old": {
        "fr": (
            "Passerelle est réservée aux 14 à 30 ans. Pour un accompagnement de carrière, "
            "les services d'orientation pour adultes de votre région peuvent vous aider."
        ),
        "en": (
            "Passerelle is for people aged 14 to 30. For career guidance, the adult career "
            "services in your region can help you."
        ),
    },
    "invalid_email": {
        "fr": "Cette adresse courriel ne semble pas valide (exemple : nom@exemple.org).",
        "en": "This e-mail address does not look valid (example: name@example.org).",
    },
    "question_too_short": {
        "fr": "Votre question doit compter au moins 20 caractères.",
        "en": "Your question must be at least 20 characters long.",
    },
    "question_too_long": {
        "fr": "Votre question doit compter au plus 2 000 caractères.",
        "en": "Your question must be at most 2,000 characters long.",
    },
    "pseudonym_too_long": {
        "fr": "Votre pseudonyme doit compter au plus 40 caractères.",
        "en": "Your pseudonym must be at most 40 characters long.",
    },
    "pseudonym_contact": {
        "fr": "Votre pseudonyme ne doit pas contenir de coordonnées (courriel, téléphone, "
        "compte de réseau social) : la personne mentore le verra.",
        "en": "Your pseudonym must not contain contact details (e-mail, phone, social media "
        "handle): the mentor will see it.",
    },
    "consent_required": {
        "fr": "Pour envoyer une question, acceptez les règles de sécurité et la politique de "
        "confidentialité.",
        "en": "To send a question, please agree to the safety rules and the privacy policy.",
    },
}

FORM_ERRORS = {
    "unknown_mentor": {
        "fr": "Cette personne mentore n'existe pas sur Passerelle. Aucune question n'a été "
        "enregistrée.",
        "en": "This mentor does not exist on Passerelle. No question was stored.",
    },
    "not_accepting": {
        "fr": "Cette personne mentore ne reçoit pas de questions en ce moment. Aucune question "
        "n'a été enregistrée; d'autres mentors peuvent vous répondre.",
        "en": "This mentor is not accepting questions right now. No question was stored; "
        "other mentors can answer you.",
    },
    "rate_limited": {
        "fr": "Vous avez envoyé beaucoup de questions en peu de temps. Réessayez plus tard.",
        "en": "You have sent many questions in a short time. Please try again later.",
    },
    "retry_in": {
        "fr": "Vous pourrez réessayer dans {minutes} min.",
        "en": "You can try again in {minutes} min.",
    },
    "busy": {
        "fr": "Cet envoi est en cours d'enregistrement. Réessayez dans un instant.",
        "en": "This submission is being stored. Please try again in a moment.",
    },
    "too_fast": {
        "fr": "Ce formulaire a été envoyé très vite. Relisez votre question, puis envoyez-la "
        "de nouveau.",
        "en": "This form was sent very quickly. Read your question again, then send it again.",
    },
    "idempotency_mismatch": {
        "fr": "Cet envoi a déjà servi pour une autre question. Rechargez la page et recommencez.",
        "en": "This submission was already used for another question. Reload the page and "
        "try again.",
    },
    "unknown_field": {
        "fr": "Le formulaire contient des champs inconnus.",
        "en": "The form contains unknown fields.",
    },
    "bad_request": {
        "fr": "Le formulaire est illisible. Rechargez la page et recommencez.",
        "en": "The form could not be read. Reload the page and try again.",
    },
    "too_large": {
        "fr": "Le formulaire envoyé est trop volumineux.",
        "en": "The form sent is too large.",
    },
    "unsupported_media_type": {
        "fr": "Format d'envoi non pris en charge.",
        "en": "Unsupported submission format.",
    },
    "forbidden_origin": {
        "fr": "Les questions ne peuvent être envoyées que depuis le site Passerelle.",
        "en": "Questions can only be sent from the Passerelle site.",
    },
    "invalid_input": {
        "fr": "Certains champs sont à corriger.",
        "en": "Some fields need to be corrected.",
    },
    "bad_token": {
        "fr": "Ce lien n'est pas valide ou a expiré.",
        "en": "This link is not valid or has expired.",
    },
    "not_found": {
        "fr": "Cette question n'existe plus : elle a peut-être expiré faute de confirmation "
        "dans les 72 heures.",
        "en": "This question no longer exists: it may have expired because it was not "
        "confirmed within 72 hours.",
    },
    "server_error": {
        "fr": "Une erreur est survenue de notre côté. Réessayez dans quelques minutes.",
        "en": "Something went wrong on our side. Please try again in a few minutes.",
    },
}

OUTCOMES = {
    "similar_title": {  # issue 14: a full mentor's refusal points to who can answer
        "fr": "Cette personne ne peut pas recevoir de nouvelle question pour l'instant. "
        "Ces mentors peuvent te répondre :",
        "en": "This person cannot take a new question right now. These mentors can answer you:",
    },
    "received": {
        "fr": "Merci! Vérifiez vos courriels : cliquez sur le lien de confirmation pour que "
        "votre question parte en modération.",
        "en": "Thank you! Check your e-mail: click the confirmation link so your question goes "
        "to moderation.",
    },
    "confirm_title": {"fr": "Confirmer votre adresse", "en": "Confirm your address"},
    "confirm_lead": {
        "fr": "Cliquez sur le bouton pour confirmer votre adresse et envoyer votre question "
        "en modération.",
        "en": "Click the button to confirm your address and send your question to moderation.",
    },
    "confirm_button": {"fr": "Confirmer mon adresse", "en": "Confirm my address"},
    "confirmed_title": {"fr": "Adresse confirmée", "en": "Address confirmed"},
    "confirmed": {
        "fr": "Merci! Votre question attend maintenant la lecture d'une modératrice ou d'un "
        "modérateur. Vous recevrez un courriel quand elle sera transmise.",
        "en": "Thank you! Your question is now waiting for a moderator. You will get an e-mail "
        "once it has been passed on.",
    },
    "already_confirmed": {
        "fr": "Cette adresse était déjà confirmée : votre question suit son cours.",
        "en": "This address was already confirmed: your question is on its way.",
    },
    "received_title": {"fr": "Question reçue", "en": "Question received"},
    "help_title": {
        "fr": "Tu n'es pas seul·e : de l'aide, maintenant",
        "en": "You are not alone: help, right now",
    },
    "help_lead": {
        "fr": "Si tu traverses un moment difficile, tu peux parler à quelqu'un dès maintenant, "
        "gratuitement et en toute confidentialité :",
        "en": "If you are going through a hard time, you can talk to someone right now, for free "
        "and in confidence:",
    },
    "help_call": {"fr": "Appeler le %s", "en": "Call %s"},
    "help_text": {"fr": "Texter le %s", "en": "Text %s"},
    "error_title": {"fr": "Impossible de continuer", "en": "Cannot continue"},
    "form_title": {"fr": "Votre question", "en": "Your question"},
    "back": {"fr": "Retour au profil", "en": "Back to the profile"},
    "home": {"fr": "Retour à l'accueil", "en": "Back to the home page"},
}

LABELS = {
    "pseudonym": {"fr": "Pseudonyme ou prénom", "en": "Pseudonym or first name"},
    "age": {"fr": "Âge", "en": "Age"},
    "region": {"fr": "Votre région", "en": "Your region"},
    "situation": {"fr": "Votre situation", "en": "Your situation"},
    "email": {"fr": "Votre adresse courriel", "en": "Your e-mail address"},
    "email_hint": {
        "fr": "Seulement pour vous envoyer les réponses. Elle n'est jamais montrée à la "
        "personne mentore.",
        "en": "Only to send you the answers. It is never shown to the mentor.",
    },
    "question": {"fr": "Votre question", "en": "Your question"},
    "consent": {
        "fr": "J'ai lu les règles de sécurité et la politique de confidentialité, et je les "
        "accepte.",
        "en": "I have read the safety rules and the privacy policy, and I agree to them.",
    },
    "choose": {"fr": "Choisir…", "en": "Choose…"},
    "submit": {"fr": "Envoyer ma question", "en": "Send my question"},
    "honeypot": {"fr": "Laissez ce champ vide", "en": "Leave this field empty"},
}


def say(table: dict, code: str, lang: str) -> str:
    entry = table.get(code) or table.get("invalid") or FORM_ERRORS["bad_request"]
    return entry.get(lang) or entry["fr"]
