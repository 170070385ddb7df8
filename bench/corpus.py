"""Generate a content folder of N invented mentors for the benchmarks.

Build, search and relay figures only mean something on a corpus the size of a
real directory (1,000 to 10,000 profiles). The corpus is deterministic for a
given seed, uses the vocabularies in data/ (so it stays valid when they grow),
writes French text with accents, some English translations and English-only
profiles, and reuses a small set of generated avatars like a real site would.
The articles and pages of the sample site are copied so the build has them.

    python -m bench.corpus 1000 /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import yaml

from bench import avatars

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SAMPLE_CONTENT = ROOT / "content"
REFERENCE_DAY = date(2026, 11, 28)  # fixed so a seed always gives the same files
AVATAR_COUNT = 12
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: 10,000 files in seconds
NOTICE = (
    "Profil fictif généré pour les bancs d'essai : personne inventée, aucune coordonnée réelle."
)

FIRST_NAMES = [
    "Marie",
    "Jean",
    "Léa",
    "Olivier",
    "Chloé",
    "William",
    "Émilie",
    "Félix",
    "Camille",
    "Mathis",
    "Zoé",
    "Antoine",
    "Sarah",
    "Gabriel",
    "Océane",
    "Samuel",
    "Noémie",
    "Thomas",
    "Fatima",
    "Mohamed",
    "Yasmine",
    "Karim",
    "Aïcha",
    "Youssef",
    "Thu",
    "Linh",
    "Minh",
    "Mei",
    "Wei",
    "Jiahui",
    "Priya",
    "Arjun",
    "Kavya",
    "Rosalie",
    "Jérôme",
    "Stéphanie",
    "Mireille",
    "Kenzo",
    "Daniela",
    "Alejandro",
    "Valentina",
    "Mateo",
    "Lucía",
    "Joaquim",
    "Inês",
    "Giulia",
    "Marco",
    "Dmitri",
    "Olena",
    "Taras",
    "Agnieszka",
    "Tomasz",
    "Amani",
    "Kwame",
    "Nadège",
    "Jean-Baptiste",
    "Wideline",
    "Ricardo",
    "Shirin",
    "Reza",
    "Ananya",
    "Tanvir",
    "Siqiniq",
    "Tamar",
    "Elijah",
    "Maïka",
    "Awa",
    "Moussa",
    "Béatrice",
    "Hélène",
]
LAST_NAMES = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
    "Lefebvre",
    "Poulin",
    "Thibault",
    "St-Pierre",
    "Nadeau",
    "Martin",
    "Benali",
    "El Amrani",
    "Haddad",
    "Nguyen",
    "Tran",
    "Pham",
    "Chen",
    "Wang",
    "Li",
    "Sharma",
    "Patel",
    "Singh",
    "Ramírez",
    "García",
    "Silva",
    "Ferreira",
    "Rossi",
    "Esposito",
    "Kowalski",
    "Nowak",
    "Shevchenko",
    "Ivanova",
    "Diallo",
    "Traoré",
    "Mensah",
    "Jean-Louis",
    "Pierre",
    "Joseph",
    "Hosseini",
    "Karimi",
    "Okafor",
    "Mukendi",
    "Qavvik",
    "Bastien",
    "Awashish",
    "Cohen",
    "Papadopoulos",
]

# Occupations for the most common sectors (fr, en); others get a generic title.
# (French title, English title, NOC 2021 unit group or None: data/occupations.yaml)
OCCUPATIONS = {
    "electricite": [
        ("Électricienne en construction", "Construction electrician", "72200"),
        ("Électricien industriel", "Industrial electrician", None),
    ],
    "plomberie-chauffage": [("Plombier-chauffagiste", "Plumber and heating technician", "72300")],
    "charpenterie-menuiserie": [("Charpentière-menuisière", "Carpenter", "72310")],
    "mecanique-automobile": [("Mécanicien automobile", "Automotive mechanic", "72410")],
    "soudage-usinage": [
        ("Soudeuse-monteuse", "Welder-fitter", "72106"),
        ("Machiniste", "Machinist", None),
    ],
    "informatique": [
        ("Développeuse de logiciels", "Software developer", None),
        ("Technicien en soutien informatique", "IT support technician", None),
    ],
    "cybersecurite": [("Analyste en cybersécurité", "Cybersecurity analyst", None)],
    "soins-infirmiers": [
        ("Infirmière clinicienne", "Clinical nurse", "31301"),
        ("Infirmier auxiliaire", "Licensed practical nurse", "32101"),
    ],
    "enseignement": [
        ("Enseignante au primaire", "Elementary school teacher", None),
        ("Enseignant de mathématiques au secondaire", "High school math teacher", "41220"),
    ],
    "genie-civil": [
        ("Ingénieure en structures", "Structural engineer", "21300"),
        ("Technicien en génie civil", "Civil engineering technician", None),
    ],
    "cuisine-restauration": [
        ("Cuisinier", "Cook", "63200"),
        ("Cheffe de cuisine", "Head chef", None),
    ],
    "comptabilite": [
        ("Comptable professionnelle agréée (CPA)", "Chartered professional accountant", "11100")
    ],
    "droit": [
        ("Avocate en droit du travail", "Employment lawyer", "41101"),
        ("Technicien juridique", "Paralegal", None),
    ],
    "agriculture": [("Productrice laitière", "Dairy farmer", "80020")],
    "foresterie": [("Ingénieur forestier", "Forestry engineer", None)],
    "aviation": [
        ("Pilote de brousse", "Bush pilot", "72600"),
        ("Technicienne en entretien d'aéronefs", "Aircraft maintenance technician", None),
    ],
    "design-graphique": [("Designer graphique", "Graphic designer", "52120")],
    "travail-social": [("Travailleuse sociale", "Social worker", "41300")],
    "petite-enfance": [("Éducatrice à la petite enfance", "Early childhood educator", "42202")],
    "coiffure-esthetique": [("Coiffeuse", "Hairstylist", "63210")],
}

PLACES = [
    "Rimouski",
    "Jonquière",
    "Québec",
    "Trois-Rivières",
    "Sherbrooke",
    "Montréal",
    "Gatineau",
    "Rouyn-Noranda",
    "Sept-Îles",
    "Chibougamau",
    "Gaspé",
    "Lévis",
    "Laval",
    "Joliette",
    "Saint-Jérôme",
    "Saint-Hyacinthe",
    "Victoriaville",
]

TOPICS_FR = [
    "choisir un programme au cégep",
    "le DEP et l'apprentissage en chantier",
    "concilier études et travail",
    "changer de carrière",
    "les stages rémunérés",
    "travailler en région",
    "l'entrepreneuriat",
    "être une femme dans un métier non traditionnel",
    "faire reconnaître un diplôme étranger",
    "l'ordre professionnel et ses examens",
    "le travail de nuit et les horaires atypiques",
    "la santé et la sécurité au travail",
    "les études universitaires à temps partiel",
    "trouver un premier emploi",
    "le mentorat et le réseautage",
    "apprendre le français au travail",
]
TOPICS_EN = [
    "choosing a CEGEP program",
    "vocational training and apprenticeship",
    "balancing school and work",
    "changing careers",
    "paid internships",
    "working outside big cities",
    "starting a business",
    "women in non-traditional trades",
    "getting a foreign degree recognized",
    "professional orders and their exams",
    "night shifts and unusual hours",
    "health and safety at work",
    "part-time university studies",
    "landing a first job",
    "mentoring and networking",
    "learning French at work",
]

BIO_FR = [
    "Je travaille comme {occ_lower} depuis {years} ans (région : {region}). "
    "Avant d'en arriver là, j'ai hésité longtemps : au secondaire, je ne savais pas du tout "
    "ce que je voulais faire.",
    "Mon parcours n'a pas été en ligne droite. J'ai commencé par {first_step}, puis j'ai "
    "découvert le domaine « {sector} » un peu par hasard, grâce à un stage.",
    "Ce que j'aime le plus dans mon métier, c'est la variété des journées et le travail "
    "d'équipe. Ce qui est plus difficile : les périodes de pointe et la pression des échéances.",
    "Je réponds volontiers aux questions sur les études, les stages, le salaire au début "
    "de carrière et la réalité du terrain. N'hésite pas à me parler de tes doutes.",
    "Si tu aimes apprendre en faisant, ce domaine offre beaucoup de possibilités, "
    "autant à Montréal qu'en région. Les employeurs cherchent de la relève.",
]
BIO_EN = [
    "I have worked as a {occ_lower} for {years} years (region: {region}). "
    "In high school I had no idea what I wanted to do.",
    "My path was not a straight line. I started with {first_step_en}, then found my way "
    "into {sector_en} almost by chance, thanks to an internship.",
    "What I enjoy most is that no two days are alike, and working with a team. The hard "
    "part: busy seasons and tight deadlines.",
    "I am happy to answer questions about school, internships, starting salaries and what "
    "the job is really like. Tell me about your doubts.",
]
FIRST_STEPS = [
    ("un DEP", "a vocational diploma (DEP)"),
    ("une technique au cégep", "a CEGEP technical program"),
    ("un baccalauréat dans un autre domaine", "a bachelor's degree in another field"),
    ("plusieurs petits emplois", "a series of odd jobs"),
    ("une année sabbatique", "a gap year"),
]


def load_vocabularies() -> dict[str, list[dict]]:
    """The data/*.yaml lists the corpus draws its codes from."""
    return {
        name: yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
        for name in ("sectors", "regions", "languages")
    }


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)


def education_for(noc: int, sector_fr: str, years: int, rng: random.Random) -> list[dict]:
    """A plausible Québec path for the sector's broad occupational category."""
    place = rng.choice(PLACES)
    year = REFERENCE_DAY.year - years - rng.randint(1, 4)
    paths = {
        7: [
            {
                "kind": "dep",
                "title": f"DEP — {sector_fr}",
                "place": f"Centre de formation professionnelle de {place}",
                "year": year,
            },
            {
                "kind": "apprentissage",
                "title": "Apprentissage et carnet d'heures",
                "year": year + 2,
            },
        ],
        8: [
            {
                "kind": "cegep",
                "title": f"DEC technique — {sector_fr}",
                "place": f"Cégep de {place}",
                "year": year,
            }
        ],
        9: [
            {
                "kind": "dep",
                "title": f"DEP — {sector_fr}",
                "place": f"Centre de formation professionnelle de {place}",
                "year": year,
            }
        ],
        6: [{"kind": "dep", "title": f"DEP — {sector_fr}", "year": year}],
        3: [
            {
                "kind": "cegep",
                "title": "DEC en sciences de la nature",
                "place": f"Cégep de {place}",
                "year": year,
            },
            {"kind": "universite", "title": f"Baccalauréat — {sector_fr}", "year": year + 4},
        ],
    }
    default = [
        {
            "kind": "cegep",
            "title": "DEC en sciences humaines",
            "place": f"Cégep de {place}",
            "year": year,
        },
        {"kind": "universite", "title": f"Baccalauréat — {sector_fr}", "year": year + 4},
    ]
    path = [dict(step) for step in paths.get(noc, default)]
    if rng.random() < 0.15:
        path.append(
            {
                "kind": "reorientation",
                "title": "Retour aux études après une réorientation",
                "year": min(year + 8, REFERENCE_DAY.year - 1),
            }
        )
    if rng.random() < 0.1:
        path.insert(0, {"kind": "aec", "title": f"AEC — {sector_fr}", "year": year - 2})
    return path


def write_front_matter(path: Path, meta: dict, body: str) -> None:
    header = yaml.dump(meta, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)
    # Quote region codes the way editors are told to ("06"), whatever YAML would pick.
    header = re.sub(r"^region: '?(\w+)'?$", r'region: "\1"', header, flags=re.MULTILINE)
    path.write_text(f"---\n# {NOTICE}\n{header}---\n\n{body}\n", encoding="utf-8")


def make_avatars(content_dir: Path) -> list[tuple[str, str, str]]:
    """The small shared set of avatars: (photo path, alt fr, alt en)."""
    result = []
    for i in range(1, AVATAR_COUNT + 1):
        name = f"corpus-avatar-{i:02d}.jpg"
        avatar = avatars.write(f"corpus-{i}", content_dir / "images" / "mentors" / name, size=240)
        result.append(
            (
                f"images/mentors/{name}",
                avatars.describe(avatar, "fr"),
                avatars.describe(avatar, "en"),
            )
        )
    return result


def copy_sample_pages(content_dir: Path) -> None:
    """Articles, pages and their images from the sample site, so the build has them."""
    for folder in ("articles", "pages"):
        if (SAMPLE_CONTENT / folder).is_dir():
            shutil.copytree(SAMPLE_CONTENT / folder, content_dir / folder)
    images = SAMPLE_CONTENT / "images"
    if images.is_dir():
        shutil.copytree(
            images,
            content_dir / "images",
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("mentors"),
        )


def generate(n: int, content_dir: Path, seed: int = 0) -> None:
    """Write a complete content folder with `n` invented mentors into `content_dir`."""
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    content_dir = Path(content_dir)
    if content_dir.exists() and any(content_dir.iterdir()):
        raise FileExistsError(f"{content_dir} is not empty; the corpus needs a fresh folder")
    rng = random.Random(seed)
    vocab = load_vocabularies()
    sectors, regions = vocab["sectors"], vocab["regions"]
    other_languages = [
        lang["code"] for lang in vocab["languages"] if lang["code"] not in ("fr", "en")
    ]

    mentors = content_dir / "mentors"
    mentors.mkdir(parents=True)
    copy_sample_pages(content_dir)
    photos = make_avatars(content_dir)

    # Weighted so the big regions hold most mentors, as in reality.
    region_weights = [
        12 if r["code"] == "06" else 6 if r["code"] in ("03", "16") else 2 for r in regions
    ]
    seen: set[str] = set()
    for i in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        slug = f"{slugify(first)}-{slugify(last)}"
        if slug in seen:
            slug = f"{slug}-{i}"
        seen.add(slug)
        sector = rng.choice(sectors)
        region = rng.choices(regions, weights=region_weights)[0]
        occ_fr, occ_en, noc = rng.choice(
            OCCUPATIONS.get(
                sector["code"],
                [(f"Spécialiste — {sector['fr']}", f"Specialist — {sector['en']}", None)],
            )
        )
        english_only = rng.random() < 0.06
        years = rng.randint(1, 35)
        languages = (
            ["en", "fr"] if english_only else ["fr"] + (["en"] if rng.random() < 0.6 else [])
        )
        languages += rng.sample(other_languages, k=rng.choice((0, 0, 0, 1, 1, 2)))
        topic_idx = rng.sample(range(len(TOPICS_FR)), k=rng.randint(2, 5))
        stale = rng.random() < 0.1
        confirmed_age = rng.randint(400, 700) if stale else rng.randint(0, 300)
        last_confirmed = REFERENCE_DAY - timedelta(days=confirmed_age)
        added = last_confirmed - timedelta(days=rng.randint(0, 2 * 365))
        step_fr, step_en = rng.choice(FIRST_STEPS)
        values = {
            "occ_lower": (occ_en if english_only else occ_fr).lower(),
            "years": years,
            "region": region["en" if english_only else "fr"],
            "first_step": step_fr,
            "first_step_en": step_en,
            "sector": sector["fr"],
            "sector_en": sector["en"].lower(),
        }

        meta: dict = {
            "name": f"{first} {last}",
            "lang": "en" if english_only else "fr",
            "occupation": occ_en if english_only else occ_fr,
            **({"noc": noc} if noc else {}),
            "sector": sector["code"],
            "region": region["code"],
            "languages": languages,
            "years_experience": years,
            "education": education_for(sector["noc"], sector["fr"], years, rng),
            "topics": [(TOPICS_EN if english_only else TOPICS_FR)[t] for t in topic_idx],
        }
        photo = rng.choice(photos) if rng.random() < 0.3 else None
        if photo:
            meta["photo"] = photo[0]
            meta["photo_alt"] = photo[2] if english_only else photo[1]
        meta["accepting"] = rng.random() > 0.08
        meta["last_confirmed"] = last_confirmed
        meta["added"] = added
        if rng.random() < 0.4:
            meta["capacity"] = rng.randint(1, 6)

        paragraphs = BIO_EN if english_only else BIO_FR
        body = "\n\n".join(
            p.format(**values) for p in rng.sample(paragraphs, k=rng.randint(2, len(paragraphs)))
        )
        write_front_matter(mentors / f"{slug}.md", meta, body)

        if not english_only and rng.random() < 0.12:
            translation: dict = {
                "lang": "en",
                "translation_of": slug,
                "occupation": occ_en,
                "topics": [TOPICS_EN[t] for t in topic_idx],
            }
            if photo:
                translation["photo_alt"] = photo[2]
            values["occ_lower"] = occ_en.lower()
            values["region"] = region["en"]
            en_body = "\n\n".join(p.format(**values) for p in BIO_EN[: rng.randint(2, len(BIO_EN))])
            write_front_matter(mentors / f"{slug}.en.md", translation, en_body)


def generate_stock(n: int, content_dir: Path, seed: int = 0) -> None:
    """The same mentors as `generate(n)`, as ordinary Pelican articles for stock Pelican.

    Each mentor becomes a French and an English article (its translation, or
    the original again), as Passerelle renders every profile in both
    languages; the sector is the category and the topics are tags.
    """
    content_dir = Path(content_dir)
    source = content_dir.with_name(content_dir.name + ".passerelle")
    generate(n, source, seed=seed)
    content_dir.mkdir(parents=True)
    mentors = source / "mentors"
    for path in sorted(mentors.glob("*.md")):
        if path.name.count(".") > 1:
            continue
        meta, body = _split(path)
        translated = mentors / f"{path.stem}.en.md"
        en_meta, en_body = _split(translated) if translated.exists() else ({}, body)
        for lang, extra, text in (("fr", {}, body), ("en", en_meta, en_body)):
            fields = {**meta, **extra}
            lines = [
                f"Title: {fields['name']} — {fields['occupation']}",
                f"Date: {fields['added']}",
                f"Category: {fields['sector']}",
                f"Tags: {', '.join(t.replace(',', ' ') for t in fields['topics'])}",
                f"Slug: {path.stem}",
                f"Lang: {lang}",
                "",
                text,
            ]
            name = f"{path.stem}.md" if lang == "fr" else f"{path.stem}.{lang}.md"
            (content_dir / name).write_text("\n".join(lines), encoding="utf-8")
    shutil.rmtree(source)


def _split(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(front), body.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of mentors")
    parser.add_argument("content_dir", type=Path, help="empty folder to write into")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate(args.n, args.content_dir, seed=args.seed)
    print(f"{args.n} mentors written to {args.content_dir}")


if __name__ == "__main__":
    main()
