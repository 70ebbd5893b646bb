"""What the real course teaches, checked in every language (issue #13).

- The quiz cannot be passed without reading: in at most MAX_GIVEAWAYS of the questions is the
  correct option the longest, and in at most MAX_GIVEAWAYS is it the only option that names the
  manager or the emergency number.
- No text tells learners not to tell anyone. The Dutch "spreek niemand aan op je vermoeden"
  (do not confront anyone) was translated as "tell nobody what you suspect" in two languages,
  one bullet below "tell your manager"; lint could not see it.

These read course_src/ directly (no build), so they are cheap.
"""

from __future__ import annotations

import re

import pytest

from builder.course import load_source

from .conftest import ROOT

SOURCE = load_source(ROOT / "course_src")
QUESTIONS = SOURCE.config["quiz"]["questions"]
MAX_GIVEAWAYS = 6

# Every course language's quiz is held to MAX_GIVEAWAYS (issue #13 §3), a new language too.
QUIZ_CHECKED = list(SOURCE.languages)

# Words that name the person to tell, per language (the {emergency} placeholder and 112 count in
# every language). A translation using another word must be added here, or the count undercounts.
NAMES_HELP = {
    "nl": r"leidinggevende|manager",
    "en": r"manager|supervisor",
    "pl": r"przełożon|kierownik|menedżer",
    "es": r"responsable|supervisor|encargad|jef[ea]|gerente",
    "fr": r"responsable|supérieur|manager|direct(?:eur|rice)",
    "pt": r"responsável|supervisor|chefe|gerente|superior",
    "hu": r"vezető|felettes|menedzser",
}
EMERGENCY = r"\{emergency\}|\b112\b"


def option_texts(lang: str, qid: str, options: list[str]) -> dict[str, str]:
    strings = SOURCE.texts[lang].strings
    return {o: strings[f"questions.{qid}.options.{o}.text"] for o in options}


def giveaways(lang: str) -> tuple[list[str], list[str]]:
    """(questions whose correct option is the longest, or tied for it; questions where it is the
    only option naming the manager or the emergency number). Lengths count {emergency} as the
    three characters a learner reads."""
    names = re.compile(f"{NAMES_HELP[lang]}|{EMERGENCY}", re.IGNORECASE)
    longest, only_one = [], []
    for q in QUESTIONS:
        texts = option_texts(lang, q["id"], q["options"])
        length = {o: len(t.replace("{emergency}", "112").strip()) for o, t in texts.items()}
        correct = q["correct"]
        if all(length[correct] >= n for o, n in length.items() if o != correct):
            longest.append(q["id"])
        if {o for o, t in texts.items() if names.search(t)} == {correct}:
            only_one.append(q["id"])
    return longest, only_one


def test_every_course_language_has_its_help_words():
    assert set(NAMES_HELP) >= set(SOURCE.languages)


@pytest.mark.parametrize("lang", QUIZ_CHECKED)
def test_correct_option_is_not_given_away_by_its_length(lang):
    longest, _ = giveaways(lang)
    assert len(longest) <= MAX_GIVEAWAYS, (
        f"{lang}: the correct option is the longest in {len(longest)} of {len(QUESTIONS)} "
        f"questions ({', '.join(longest)}); at most {MAX_GIVEAWAYS}")


@pytest.mark.parametrize("lang", QUIZ_CHECKED)
def test_correct_option_is_not_given_away_by_naming_the_manager(lang):
    _, only_one = giveaways(lang)
    assert len(only_one) <= MAX_GIVEAWAYS, (
        f"{lang}: the correct option is the only one naming the manager or the emergency number "
        f"in {len(only_one)} questions ({', '.join(only_one)}); at most {MAX_GIVEAWAYS}")


# "Do not tell anyone" in each language, in the imperative and in the "you do not ..." form the
# scenarios use. "Do not confront anyone" (the course's advice) must not match: see
# test_tell_nobody_patterns_know_confronting_from_telling.
TELL_NOBODY = {
    "nl": r"\b(?:vertel|zeg|meld)\w*\s+(?:\w+\s+){0,2}(?:aan\s+|tegen\s+)?niemand\b"
          r"|\b(?:aan|tegen)\s+niemand\s+(?:iets\s+)?(?:vertel|zeg|meld)",
    "en": r"\b(?:do\s+not|don't|never)\s+(?:tell|mention\s+it\s+to|say\s+anything\s+to)\s+"
          r"(?:anyone|anybody)\b|\btell\s+(?:no\s*one|nobody)\b|\bkeep\s+it\s+to\s+yourself\b",
    "es": r"\bno\s+(?:se\s+|le\s+|les\s+)?(?:lo\s+)?(?:digas|diga|dices|dice|digáis|decir|cuentes"
          r"|cuente|cuentas|contéis|comentes|comente|comentas)\b[^.!?\n]{0,40}?\ba\s+nadie\b"
          r"|\ba\s+nadie\s+(?:se\s+|le\s+)?(?:lo\s+)?(?:digas|diga|dices|cuentes|cuente)\b",
    "pl": r"\bnie\s+(?:mów\w*|powiedz\w*|opowiada\w*|wspomina\w*|informuj\w*)\b"
          r"[^.!?\n]{0,30}?\b(?:nikomu|nikogo)\b"
          r"|\b(?:nikomu|nikogo)\s+nie\s+(?:mów\w*|powiedz\w*|opowiada\w*|wspomina\w*|informuj\w*)",
    "fr": r"\bne\s+(?:le\s+|la\s+|les\s+|lui\s+|leur\s+|rien\s+|en\s+)*(?:dites|dis|dit|racont\w+"
          r"|parl\w+|mentionn\w+)\s+(?:rien\s+|pas\s+)?(?:à|avec)\s+personne\b"
          r"|\bn['’]en\s+parl\w+\s+(?:à|avec)\s+personne\b",
    "pt": r"\bnão\s+(?:o\s+|lhe\s+)?(?:diga|digas|diz|conte|contes|conta|fale|fales|fala|comente"
          r"|comentes|comenta)\b[^.!?\n]{0,40}?\b(?:a|com)\s+ninguém\b",
    "hu": r"\bne\s+(?:mondd|mondja|mondj|szólj|szóljon|beszélj|beszéljen|említsd)\b"
          r"[^.!?\n]{0,30}?\bsenki(?:nek|vel)\b"
          r"|\bsenki(?:nek|vel)\s+(?:se\s+)?(?:ne|nem)\s+(?:mond|szól|beszél|említ)",
}


def tell_nobody(lang: str, text: str) -> str | None:
    found = re.search(TELL_NOBODY[lang], text, re.IGNORECASE)
    return found.group(0) if found else None


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "No actúes nunca solo: no le digas a nadie lo que sospechas."),
    ("es", "No le dices a nadie lo que sospechas y no investigas por tu cuenta."),
    ("pl", "Nigdy nie działaj sam: nie mów nikomu o swoich podejrzeniach."),
    ("pl", "Nikomu nie mówisz o swoich podejrzeniach."),
    ("nl", "Vertel het aan niemand."),
    ("en", "Do not tell anyone what you suspect."),
    ("fr", "Ne dites rien à personne."),
    ("pt", "Não diga a ninguém o que suspeita."),
    ("hu", "Ne mondd el senkinek, mit gyanítasz."),
])
def test_tell_nobody_patterns_catch_the_defect(lang, text):
    # The first four are the es and pl sentences issue #13 found in the course.
    assert tell_nobody(lang, text)


@pytest.mark.parametrize(("lang", "text"), [
    ("nl", "Confronteer niemand met je vermoeden, maar vertel het wel aan je leidinggevende."),
    ("en", "Do not confront anyone with your suspicion; tell your manager."),
    ("es", "No confrontes a nadie con tu sospecha y cuéntaselo a tu responsable."),
    ("pl", "Nie konfrontuj nikogo ze swoimi podejrzeniami; powiedz przełożonemu."),
    ("fr", "Ne confrontez personne à vos soupçons ; dites-le à votre responsable."),
    ("pt", "Não confronte ninguém com a sua suspeita; conte ao seu responsável."),
    ("hu", "Senkit ne szembesíts a gyanúddal, de mondd el a vezetődnek."),
])
def test_tell_nobody_patterns_know_confronting_from_telling(lang, text):
    assert tell_nobody(lang, text) is None


def test_every_course_language_has_a_tell_nobody_pattern():
    assert set(TELL_NOBODY) >= set(SOURCE.languages)


@pytest.mark.parametrize("lang", SOURCE.languages)
def test_no_text_tells_learners_to_tell_nobody(lang):
    """Every key, not only the critical ones: no sentence of the course should say it."""
    text = SOURCE.texts[lang]
    found = {key: hit for key, value in text.strings.items() if (hit := tell_nobody(lang, value))}
    assert not found, f"{text.path}: " + "; ".join(f"{k}: {v!r}" for k, v in sorted(found.items()))
