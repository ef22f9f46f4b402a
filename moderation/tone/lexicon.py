"""Rule-based tone for Russian and English: word lists, negation, emoji and sarcasm cues.

The fallback backend when the embedding package is not installed, and a handful of extra
features for the trained model (the embeddings miss negation and irony most often).
"""

from __future__ import annotations

import re

import numpy as np

# Stems: a word matches when it starts with one (Russian inflects, English has -ed/-s/-ing).
POSITIVE_STEMS = (
    "отличн",
    "прекрасн",
    "замечательн",
    "хорош",
    "супер",
    "класс",
    "кайф",
    "топ",
    "огонь",
    "имба",
    "зачёт",
    "зачет",
    "спасибо",
    "благодар",
    "рекоменд",
    "люблю",
    "обожа",
    "восторг",
    "довол",
    "рад",
    "понрав",
    "нрав",
    "вкусн",
    "удобн",
    "молодц",
    "лучш",
    "вежлив",
    "быстр",
    "чётк",
    "четк",
    "шикарн",
    "круто",
    "крут",
    "приятн",
    "восхит",
    "чудесн",
    "респект",
    "бомба",
    "любим",
    "похвал",
    "great",
    "love",
    "amazing",
    "excellent",
    "awesome",
    "perfect",
    "best",
    "thank",
    "recommend",
    "happy",
    "glad",
    "nice",
    "lovely",
    "fantastic",
    "wonderful",
    "delicious",
    "fast",
    "quick",
    "helpful",
    "polite",
    "impress",
    "brilliant",
    "fire",
    "rock",
    "legend",
    "superb",
    "pleased",
    "enjoy",
    "fan",
    "worth",
    "smooth",
    "friendly",
    "gorgeous",
    "tasty",
)
NEGATIVE_STEMS = (
    "ужас",
    "плох",
    "отврат",
    "кошмар",
    "хамств",
    "груб",
    "брак",
    "слома",
    "сломан",
    "развал",
    "обман",
    "мошен",
    "развод",
    "отстой",
    "жесть",
    "кринж",
    "позор",
    "разочаров",
    "задерж",
    "опозд",
    "потеря",
    "верните",
    "возврат",
    "жалоб",
    "сбой",
    "тормоз",
    "не работает",
    "никогда",
    "худш",
    "бесит",
    "грязн",
    "испорт",
    "отменил",
    "молчит",
    "не отвечает",
    "игнор",
    "так себе",
    "awful",
    "terrible",
    "horrible",
    "worst",
    "broke",
    "broken",
    "scam",
    "fraud",
    "rude",
    "disappoint",
    "late",
    "lost",
    "refund",
    "crash",
    "trash",
    "disgust",
    "never",
    "annoy",
    "waste",
    "fail",
    "ignore",
    "cancel",
    "useless",
    "disgrace",
    "shame",
    "letdown",
    "overcharg",
    "rip-off",
    "misleading",
)
NEGATIONS = ("не", "ни", "нет", "без", "not", "no", "never", "n't", "nothing", "ничего")
POSITIVE_EMOJI = "😍🥰😊❤💖👍🙌🔥💪⭐🎁👌😀😃😄🤩"
NEGATIVE_EMOJI = "😡🤬😤👎😠😢😭🤮💩"
# Irony markers: a "positive" sentence ending in one of these is usually a complaint.
SARCASM_EMOJI = "🙃🙄😒"
SARCASM_PHRASES = (
    "ну спасибо",
    "браво",
    "гениально",
    "вот это скорость",
    "всего-то",
    "всего",
    "ага,",
    "ну конечно",
    "said no one",
    "yeah, super",
    "oh brilliant",
    "another",
    "again",
    "опять",
    "снова",
)
QUESTION_STARTS = (
    "как",
    "где",
    "когда",
    "сколько",
    "какой",
    "какая",
    "какие",
    "можно",
    "есть ли",
    "подскажите",
    "а ",
    "во сколько",
    "what",
    "when",
    "where",
    "how",
    "is ",
    "are ",
    "do ",
    "does ",
    "can ",
    "which",
    "any ",
)
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
FEATURE_NAMES = ("positive", "negative", "negated_positive", "negated_negative", "sarcasm", "question")


def _tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in _WORD.findall(text.lower())]


def features(text: str) -> list[float]:
    """Counts of the cues above, in FEATURE_NAMES order."""
    lowered = text.lower()
    tokens = _tokens(lowered)
    pos = neg = neg_pos = neg_neg = 0.0
    for i, token in enumerate(tokens):
        negated = any(t in NEGATIONS or t.endswith("n't") for t in tokens[max(0, i - 2) : i])
        if token.startswith(POSITIVE_STEMS):
            neg_pos += negated
            pos += not negated
        elif token.startswith(NEGATIVE_STEMS):
            neg_neg += negated
            neg += not negated
    neg += sum(phrase in lowered for phrase in NEGATIVE_STEMS if " " in phrase)
    pos += sum(lowered.count(e) for e in POSITIVE_EMOJI)
    neg += sum(lowered.count(e) for e in NEGATIVE_EMOJI)
    sarcasm = float(sum(lowered.count(e) for e in SARCASM_EMOJI) + sum(p in lowered for p in SARCASM_PHRASES))
    question = float("?" in text or lowered.startswith(QUESTION_STARTS))
    return [pos, neg, neg_pos, neg_neg, sarcasm, question]


def feature_matrix(texts: list[str]) -> np.ndarray:
    return np.array([features(t) for t in texts], dtype=np.float32).reshape(len(texts), len(FEATURE_NAMES))


def classify_one(text: str) -> tuple[str, float]:
    """A label and a rough confidence from the cues alone."""
    pos, neg, neg_pos, neg_neg, sarcasm, question = features(text)
    # "не плохо" counts as mild praise, "not great" as a complaint; irony flips praise.
    score = pos + 0.5 * neg_neg - neg - neg_pos
    if sarcasm and pos and not question:
        score = -abs(score) - 1
    if score > 0:
        return "positive", min(0.9, 0.5 + 0.1 * score)
    if score < 0:
        return "negative", min(0.9, 0.5 - 0.1 * score)
    return "neutral", 0.5
