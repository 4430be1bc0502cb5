"""Synthetic "names by language" for the char-RNN tutorials (stands in for data/names/*.txt)."""
import random

LANGUAGES = {'Vowelish': 'aeioulmn', 'Stopish': 'bcdfgkpt', 'Sibilish': 'rstvwxyz'}


def category_lines(seed=0, per_language=40):
    rng = random.Random(seed)
    lines = {}
    for language, letters in LANGUAGES.items():
        names = []
        for _ in range(per_language):
            name = ''.join(rng.choice(letters) for _ in range(rng.randint(3, 6)))
            names.append(name.capitalize())
        lines[language] = names
    return lines
