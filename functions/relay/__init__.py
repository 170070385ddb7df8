"""Passerelle's relay: carries moderated questions between mentees and mentors."""
