"""People named in an article: their names in the nominative and their roles.

Answers and search need "Ермек Кошербаев, Посол Республики Казахстан", but
Russian and Kazakh texts inflect names ("с Ермеком Кошербаевым",
"Көшербаевпен") and put the title before or after the name. No name list
would cover new documents, so names are recognised by surname endings and
grouped by surname, and the title phrase next to a name becomes the role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kb.ingest.chars import LOWER, UPPER, word_set
from bot.kb.places import Gazetteer
from bot.kb.sources import Person
from bot.kb.translit import slug

__all__ = ["find_people"]

MAX_ROLE = 120

_NAME_WORD_RE = re.compile(rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?(?![\w])")

# surnames: core (kept in every case) + ending (case/gender)
_RU_OV_RE = re.compile(
    r"^(?P<core>[а-яёәғқңөұүһі-]{2,}?(?:ов|ев|ёв|ин|ын))"
    r"(?P<end>|а|у|ым|ой|ом|е|ы"
    r"|ке|ка|қа|ға|ге|тың|тің|ның|нің|дың|дің|пен|мен|бен|ты|ті|ны|ні|ды|ді"
    r"|нан|нен|тан|тен|дан|ден|та|те|да|де)$"
)
_KK_CASE_ENDINGS = word_set(
    "ке ка қа ға ге тың тің ның нің дың дің пен мен бен ты ті ны ні ды ді "
    "нан нен тан тен дан ден та те да де"
)
_RU_SKY_RE = re.compile(r"^(?P<core>[а-яё-]{2,}(?:ск|цк))(?P<end>ий|ого|ому|им|ом|ая|ой|ую)$")
_RU_IK_RE = re.compile(r"^(?P<core>[а-яё-]{2,}(?:ук|юк|ик|чук))(?P<end>|а|у|ом|е)$")
_RU_INV_RE = re.compile(r"^[а-яёәғқңөұүһі-]{2,}(?:енко|уллы|ұлы|улы|кызы|қызы)$")
_LAT_SURNAME_RE = re.compile(
    r"^[a-z-]{2,}(?:ov|ev|yev|iev|yov|in|yn|ova|eva|yeva|ina|yna|sky|ski|skiy|skaya"
    r"|enko|uk|yuk|ik|uly|uli|kyzy|qyzy)$"
)
_PATRONYMIC_RE = re.compile(
    r"^[а-яё]{2,}(?:ович|евич|ьич|ич)(?:а|у|ем|ом|е)?$"
    r"|^[а-яё]{2,}(?:овн|евн|ичн)(?:а|ы|е|у|ой)$"
    r"|^[a-z]{2,}(?:ovich|evich|ovna|evna)$"
)
_ADJECTIVE_END = (
    "ский", "ская", "ской", "ского", "скому", "ским", "ском", "ские", "ских", "скую",
    "цкий", "цкая", "цкой", "ный", "ная", "ной", "ного", "ному", "ным", "ном", "ные",
    "ных", "ную", "ого", "его", "ому", "ему", "ый", "ыми", "ими", "ых",
    "ции", "сии", "мии", "гии", "ики", "ости", "ства", "ству", "ством", "стве",
)  # fmt: skip
_NOT_NAMES = word_set("""
    в во на по от для с со к ко из о об и а но это эти этот эта сегодня вчера также
    при после перед господин госпожа уважаемый республика республики россия россии
    казахстан казахстана федерации президент президента день победа победы памяти
    великой великая отечественной войны война февраль года однако вчера затем кроме
    помимо именно позже ранее
    the a an on in at of for by with during both members plans summing according
    negotiations establishing more this that these he she they we it his her their
    our mr mrs ms dr prof sir lord lady saint st mount lake river region oblast city
    university institute center centre council chamber movement fund agency ministry
    embassy consulate day victory republic russian kazakh soviet national state
    federal regional international great patriotic war north south east west
    central new old red white black general civic search military interstate
    yesterday today however meanwhile earlier later also then after before
    """)
_MALE_IY = word_set(
    "дмитрий юрий георгий анатолий виталий василий евгений валерий геннадий аркадий "
    "григорий арсений леонтий иннокентий вассилий"
)

# title words: Russian forms (nominative lemma -> inflected forms), English, Kazakh stems
_RU_TITLE_FORMS: dict[str, str] = {}


def _add_titles(lemmas: str, endings: tuple[str, ...], cut: int = 0) -> None:
    for lemma in lemmas.split():
        stem = lemma[: len(lemma) - cut] if cut else lemma
        for ending in endings:
            _RU_TITLE_FORMS[stem + ending] = lemma


_add_titles(
    "консул генконсул министр ректор советник член аким президент директор начальник "
    "губернатор депутат мэр сенатор лидер посланник премьер-министр вице-президент "
    "вице-министр вице-консул",
    ("", "а", "у", "ом", "е", "ы", "ов"),
)
_add_titles(
    "председатель заместитель руководитель представитель секретарь госсекретарь",
    ("ь", "я", "ю", "ем", "е", "и", "ей"),
    cut=1,
)
_add_titles("заведующий", ("ий", "его", "ему", "им", "ем"), cut=2)
_add_titles("глава", ("а", "ы", "е", "у", "ой"), cut=1)
for _form in ("посол", "посла", "послу", "послом", "послы", "послов"):
    _RU_TITLE_FORMS[_form] = "посол"
_RU_TITLE_FORMS["атташе"] = "атташе"

_EN_TITLES = word_set("""
    chair chairman chairwoman chairperson head member adviser advisor ambassador consul
    consul-general minister director representative editor-in-chief moderator
    president vice-president secretary deputy governor mayor rector akim coordinator
    chief envoy attaché spokesman spokesperson spokeswoman founder leader commissioner
    manager counsellor counselor
    """)
_EN_MODIFIERS = word_set(
    "executive deputy vice general chief first senior acting honorary extraordinary "
    "plenipotentiary and former"
)
_KK_TITLE_STEMS = (
    "елші", "консул", "әкім", "министр", "төраға", "басшы", "орынбасар", "директор",
    "ректор", "өкіл", "хатшы", "мүше", "кеңесші", "президент", "басқарушы", "жетекші",
)  # fmt: skip
_KK_MODIFIERS = word_set("бас вице төтенше өкілетті және бірінші")
_KK_PLACE_NOUNS = word_set(
    "облысы облысының облыстық қаласы қаласының ауданы ауданының республикасы "
    "республикасының елінің"
)
_ROLE_VERBS = word_set(
    "was were is are has have had will said noted spoke met был была было были "
    "является являлся стал стала отметил сказал"
)
_RU_PAST_RE = re.compile(r"^[а-яё]{2,}(?:лся|лась|лось|лись)$|^[а-яё]{3,}[аяеиуы](?:л|ла|ли)$")
_RU_NOT_VERBS = word_set(
    """
    генерал отдел материал канал капитал персонал филиал финал трибунал арсенал сериал
    идеал портал журнал интеграл минерал адмирал ритуал фестивал стали шли
    """
)
_RU_VERBS = word_set("говорит заявляет сообщает отмечает считает подчеркивает рассказывает")
_LATIN_NOT_SURNAMES = word_set(
    """
    kremlin latin berlin dublin within begin again bulletin margin origin cabin admin
    penguin vitamin protein basin turin cousin robin muslin violin
    """
)


def _looks_verb(word: str) -> bool:
    """A verb in a title phrase means the phrase is a clause, not a title."""
    w = word.lower()
    if w in _ROLE_VERBS or w in _RU_VERBS:
        return True
    if _RU_PAST_RE.match(w):
        return w not in _RU_NOT_VERBS and w[:-1] not in _RU_NOT_VERBS
    return word.islower() and len(w) >= 5 and w.endswith("ed") and w.isascii()


_CLAUSE_BREAK_RE = re.compile(r"[.;:!?()«»\"“”„]|,|\s[-–—]\s")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _surname(word: str) -> tuple[str, str, str] | None:
    """(core, ending, family) of a word that looks like a surname, else None.

    family: "ov" (-ов/-ев/-ин + case endings), "sky" (-ский/-ская), "ik"
    (-ук/-юк/-ик), "inv" (-енко, -ұлы, -кызы: not inflected), "latin".
    """
    w = word.lower()
    if "\u0400" <= w[0] <= "\u052f":
        for family, regex in (("ov", _RU_OV_RE), ("sky", _RU_SKY_RE), ("ik", _RU_IK_RE)):
            m = regex.match(w)
            if m and len(m["core"]) >= 4:
                return word[: len(m["core"])], m["end"], family
        if _RU_INV_RE.match(w):
            return word, "", "inv"
        return None
    if (
        _LAT_SURNAME_RE.match(w)
        and len(w) >= 5
        and w not in _LATIN_NOT_SURNAMES
        and not w.endswith(("ain", "ein"))
    ):
        return word, "", "latin"
    return None


def _looks_first_name(word: str) -> bool:
    w = word.lower()
    if len(w) < 2 or w in _NOT_NAMES or w in _RU_TITLE_FORMS or w in _EN_TITLES:
        return False
    if w.endswith(_ADJECTIVE_END) and w not in _MALE_IY:
        return False
    return not word.isupper()


def _is_patronymic(word: str) -> bool:
    return bool(_PATRONYMIC_RE.match(word.lower()))


@dataclass(slots=True)
class _Occurrence:
    """One mention of a name: its parts, where it is, and the role next to it."""

    first: str
    patronymic: str
    surname: str
    core: str
    ending: str
    family: str
    para: int
    start: int
    end: int
    role: str = ""
    role_case: str = ""  # "nom" if the title word is in the nominative, "obl" if not
    aliases: list[str] = field(default_factory=list)


def _name_runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of capitalised words separated by single spaces."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for m in _NAME_WORD_RE.finditer(text):
        if current and text[current[-1].end() : m.start()] == " ":
            current.append(m)
            continue
        if len(current) >= 2:
            runs.append(current)
        current = [m]
    if len(current) >= 2:
        runs.append(current)
    return runs


_PAREN_NAME_RE = re.compile(
    rf"(?P<sur>[{UPPER}][{LOWER}]+)\s*\((?P<alt>[{UPPER}][{LOWER}]+)\)\s+"
    rf"(?P<first>[{UPPER}][{LOWER}]+)"
)


def _find_names(text: str, para: int, gazetteer: Gazetteer) -> list[_Occurrence]:
    found: list[_Occurrence] = []

    def is_place(word: str) -> bool:
        return bool(gazetteer.find(word))

    def add(first: str, patr: str, sur: str, start: int, end: int, aliases: list[str]) -> bool:
        info = _surname(sur)
        if info is None or is_place(sur) or is_place(first):
            return False
        core, ending, family = info
        found.append(_Occurrence(first, patr, sur, core, ending, family, para, start, end))
        found[-1].aliases.extend(aliases)
        return True

    for run in _name_runs(text):
        words = [m.group() for m in run]
        free = 0  # words before this index are taken by a name
        j = 0
        while j < len(words):
            if _surname(words[j]) is None or (
                # "Konstantin Vorobyov": the surname is the rightmost candidate
                j + 1 < len(words) and _surname(words[j + 1]) and _looks_first_name(words[j])
            ):
                j += 1
                continue
            if (
                j - 2 >= free
                and _is_patronymic(words[j - 1])
                and _looks_first_name(words[j - 2])
                and add(words[j - 2], words[j - 1], words[j], run[j - 2].start(), run[j].end(), [])
            ) or (
                j - 1 >= free
                and _looks_first_name(words[j - 1])
                and add(words[j - 1], "", words[j], run[j - 1].start(), run[j].end(), [])
            ):
                free = j + 1
            elif (
                j + 2 < len(words)
                and _looks_first_name(words[j + 1])
                and _is_patronymic(words[j + 2])
                and add(words[j + 1], words[j + 2], words[j], run[j].start(), run[j + 2].end(), [])
            ):  # surname first: "Бурибаев Ермек Абильтаевич"
                free = j + 3
            j = max(j + 1, free)
    for m in _PAREN_NAME_RE.finditer(text):
        if _surname(m["sur"]) and _looks_first_name(m["first"]):
            add(m["first"], "", m["sur"], m.start(), m.end(), [m["alt"]])
    found.sort(key=lambda o: o.start)
    # drop overlaps (keep the earlier, longer one)
    result: list[_Occurrence] = []
    for occ in found:
        if result and occ.start < result[-1].end:
            continue
        result.append(occ)
    return result


def _title_word(word: str, lang: str) -> tuple[str, bool] | None:
    """(nominative lemma, was it already nominative) if `word` is a title word."""
    w = word.lower()
    lemma = _RU_TITLE_FORMS.get(w)
    if lemma is not None:
        return lemma, lemma == w
    if w in _EN_TITLES:
        return w, True
    if lang == "kk":
        for stem in _KK_TITLE_STEMS:
            if w.startswith(stem) and len(w) - len(stem) <= 6:
                return w, True
    return None


_RU_ADJ_NOM = (
    ("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("ском", "ский"),
    ("цкого", "цкий"), ("цкому", "цкий"), ("цким", "цкий"), ("цком", "цкий"),
    ("кого", "кий"), ("гого", "гий"), ("хого", "хий"), ("шего", "ший"), ("щего", "щий"),
    ("жего", "жий"), ("чего", "чий"), ("его", "ий"), ("ему", "ий"),
    ("ого", "ый"), ("ому", "ый"), ("ым", "ый"), ("им", "ий"), ("ом", "ый"),
)  # fmt: skip


def _is_modifier(word: str, lang: str) -> bool:
    w = word.lower()
    if w in _EN_MODIFIERS or (lang == "kk" and w in _KK_MODIFIERS):
        return True
    if re.fullmatch(r"[а-яё-]+", w):
        return w.endswith(("ый", "ий", "ой", "ая", "яя", "ого", "его", "ому", "ему", "ым", "им"))
    return False


def _kk_attribute(word: str, nxt: str | None) -> bool:
    """Kazakh words that belong to a title phrase before the title word."""
    w = word.lower()
    if w in _KK_MODIFIERS or w in _KK_PLACE_NOUNS:
        return True
    if w.endswith(("дың", "дің", "тың", "тің", "ның", "нің", "дағы", "дегі", "тағы", "тегі")):
        return True
    return word[0].isupper() and nxt is not None and nxt.lower() in _KK_PLACE_NOUNS


def _normalise_ru_role(words: list[str], head: int, lemma: str) -> list[str]:
    """The head title word and its adjectives in the nominative: "генерального консула" ->
    "генеральный консул"; the rest (a genitive complement) stays as written."""
    out = list(words)
    out[head] = lemma if words[head].islower() else lemma.capitalize()
    for i in range(head - 1, -1, -1):
        low = out[i].lower()
        if low in ("и", "and"):
            continue
        for old, new in _RU_ADJ_NOM:
            if low.endswith(old):
                out[i] = out[i][: len(out[i]) - len(old)] + new
                break
        else:
            break
    return out


def _role_before(clause: str, lang: str) -> tuple[str, str]:
    """The title phrase at the end of `clause` (the text right before a name)."""
    words = list(_WORD_RE.finditer(clause))
    texts = [w.group() for w in words]
    for i, w in enumerate(texts):
        hit = _title_word(w, lang)
        if hit is None:
            continue
        lemma, nominative = hit
        start = i
        while start > 0:
            prev = texts[start - 1]
            if lang == "kk":
                nxt = texts[start] if start < len(texts) else None
                if not _kk_attribute(prev, nxt):
                    break
            elif prev.lower() in ("и", "and"):
                if start >= 2 and _is_modifier(texts[start - 2], lang):
                    start -= 1
                    continue
                break
            elif not _is_modifier(prev, lang):
                break
            start -= 1
        phrase_words = texts[start:]
        if any(_looks_verb(t) for t in texts[i + 1 :]):
            continue
        role = clause[words[start].start() :].strip(" ,-–—")
        if lang == "ru" and not nominative:
            # rebuild with the head in the nominative, keeping the original spacing
            head = i - start
            fixed = _normalise_ru_role(phrase_words, head, lemma)
            for old, new in zip(phrase_words[: head + 1], fixed[: head + 1], strict=True):
                role = role.replace(old, new, 1)
        if len(role) <= MAX_ROLE:
            return role, "nom" if nominative else "obl"
    return "", ""


def _role_after(rest: str, lang: str) -> str:
    """An apposition after the name: ", Chairman of the Board at X, spoke ..."."""
    if not rest.startswith(","):
        return ""
    segments = re.split(r",\s*", rest[1:])
    taken: list[str] = []
    for segment in segments:
        seg = re.split(r"[.;:!?()«»\"“”]|\s[-–—]\s", segment)[0].strip()
        words = _WORD_RE.findall(seg)
        i = 0
        while i < len(words) and (
            words[i].lower() in ("the", "a", "an") or _is_modifier(words[i], lang)
        ):
            i += 1
        if i >= len(words) or _title_word(words[i], lang) is None:
            break
        if any(_looks_verb(w) for w in words[i + 1 :]):
            break
        if len(", ".join([*taken, seg])) > MAX_ROLE:
            break
        taken.append(seg)
        if seg != segment.strip():
            break  # the clause ended inside this segment
    role = ", ".join(taken)
    return re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)


def _find_roles(text: str, occurrences: list[_Occurrence], lang: str) -> None:
    prev_end = 0
    for occ in occurrences:
        before = text[prev_end : occ.start]
        breaks = list(_CLAUSE_BREAK_RE.finditer(before))
        clause = before[breaks[-1].end() :] if breaks else before
        role, case = _role_before(clause, lang)
        role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)
        after = _role_after(text[occ.end :], lang)
        if len(after) > len(role):  # "Ambassador X, Ambassador of Russia to Kazakhstan,"
            role, case = after, case or "nom"
        occ.role, occ.role_case = role, case
        prev_end = occ.end


# de-inflection of Russian first names and patronymics: (ending, replacement)
_MALE_FIRST_RULES = (
    ("ием", "ий"), ("ия", "ий"), ("ию", "ий"), ("ии", "ий"),
    ("еем", "ей"), ("ея", "ей"), ("ею", "ей"), ("ее", "ей"),
    ("аем", "ай"), ("ая", "ай"), ("аю", "ай"), ("ае", "ай"),
    ("ом", ""), ("ем", "ь"), ("а", ""), ("у", ""), ("е", ""), ("я", "ь"), ("ю", "ь"),
)  # fmt: skip
_FEMALE_FIRST_RULES = (
    ("ьи", "ья"), ("ье", "ья"), ("ью", "ья"), ("ьей", "ья"),
    ("ией", "ия"), ("ии", "ия"), ("ию", "ия"),
    ("ой", "а"), ("ей", "я"), ("у", "а"), ("ю", "я"), ("ы", "а"), ("е", "а"),
)  # fmt: skip
_VELAR_HUSHING = "гкхжшчщ"


def _apply_rules(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    low = word.lower()
    for old, new in rules:
        if low.endswith(old) and len(low) - len(old) >= 2:
            return word[: len(word) - len(old)] + new
    if rules is _FEMALE_FIRST_RULES and low.endswith("и") and len(low) > 3:
        return word[:-1] + ("а" if low[-2] in _VELAR_HUSHING else "я")
    return word


def _male_genitive_first(first: str) -> bool:
    """Андрея, Николая, Абая, Дмитрия: genitive of a male name (Мария is not)."""
    low = first.lower()
    return low.endswith(("ея", "ая")) or (low.endswith("ия") and low[:-2] + "ий" in _MALE_IY)


def _case_of(occ: _Occurrence) -> str:
    """ "nom", "obl" (inflected) or "amb" (female nominative or male genitive)."""
    if occ.family == "latin":
        return "nom"
    if occ.ending in _KK_CASE_ENDINGS:
        return "kk"
    first = occ.first.lower()
    if occ.family == "ov":
        if occ.ending == "":
            return "nom"
        if occ.ending == "а":
            if occ.role_case == "obl" or _male_genitive_first(first):
                return "obl"
            return "nom" if occ.role_case == "nom" else "amb"
        return "obl"
    if occ.family == "sky":
        return "nom" if occ.ending in ("ий", "ая") else "obl"
    if occ.family == "ik" and occ.ending:
        return "obl"
    # -ик with no ending, -енко, -ұлы: the first name tells
    if occ.role_case == "nom":
        return "nom"
    if first.endswith(("и", "ы", "ом", "ем", "ой", "ьей", "ией")) or occ.role_case == "obl":
        return "obl"
    return "nom"


def _female(group: list[_Occurrence]) -> bool:
    """Whether the group has a feminine form (-овой, -ская, "Натальи Белик")."""
    for occ in group:
        if occ.family == "ov" and occ.ending in ("", "ым"):
            return False  # masculine forms
        if occ.family == "sky" and occ.ending in ("ий", "ого", "ому", "им"):
            return False
    for occ in group:
        if occ.family == "ov" and occ.ending == "ой":
            return True
        if occ.family == "sky" and occ.ending in ("ая", "ой", "ую"):
            return True
        if (
            occ.family in ("ik", "inv")
            and not occ.ending
            and occ.first.lower().endswith(("и", "ы", "ой", "ьей", "ией"))
        ):
            return True
    return False


def _nominative(group: list[_Occurrence]) -> str:
    """The person's name in the nominative, from the best occurrence."""
    cases = [_case_of(o) for o in group]
    for wanted in ("nom", "amb"):
        for occ, case in zip(group, cases, strict=True):
            if case == wanted:
                return " ".join(x for x in (occ.first, occ.patronymic, occ.surname) if x)
    occ, case = group[0], cases[0]
    if case == "kk":  # Kazakh: only the last word takes the case ending
        return " ".join(x for x in (occ.first, occ.patronymic, occ.core) if x)
    female = _female(group)
    if female:
        first = _apply_rules(occ.first, _FEMALE_FIRST_RULES)
        patr = re.sub(r"(овн|евн|ичн)(ы|е|у|ой)$", r"\1а", occ.patronymic)
        surname = {"ov": occ.core + "а", "sky": occ.core + "ая"}.get(occ.family, occ.surname)
    else:
        first = _apply_rules(occ.first, _MALE_FIRST_RULES)
        patr = re.sub(r"(ич)(а|у|ем|ом|е)$", r"\1", occ.patronymic)
        surname = {"ov": occ.core, "sky": occ.core + "ий", "ik": occ.core}.get(
            occ.family, occ.surname
        )
    return " ".join(x for x in (first, patr, surname) if x)


def _group_key(occ: _Occurrence) -> str:
    core = occ.core.lower() if occ.family != "latin" else occ.surname.lower()
    if occ.family == "latin":
        core = re.sub(r"(ov|ev|in|yn)a$", r"\1", core)
        core = re.sub(r"(sk)(aya|y|i|iy)$", r"\1", core)
    return core.replace("ё", "е")


def find_people(paragraphs: list[str], lang: str, gazetteer: Gazetteer) -> list[Person]:
    """Everyone named in `paragraphs`: one `Person` per surname, in the nominative."""
    groups: dict[str, list[_Occurrence]] = {}
    for i, para in enumerate(paragraphs):
        occurrences = _find_names(para, i, gazetteer)
        _find_roles(para, occurrences, lang)
        for occ in occurrences:
            groups.setdefault(_group_key(occ), []).append(occ)
    people: list[Person] = []
    used_ids: set[str] = set()
    for group in groups.values():
        name = _nominative(group)
        role = next((o.role for o in group if o.role and o.role_case == "nom"), "")
        role = role or next((o.role for o in group if o.role), "")
        pid = slug(name) or "person"
        base, n = pid, 2
        while pid in used_ids:
            pid, n = f"{base}-{n}", n + 1
        used_ids.add(pid)
        surname = name.split()[-1]
        aliases = [surname]
        for occ in group:
            aliases.extend(a for a in occ.aliases if a not in aliases)
        people.append(Person(pid, {lang: name}, {lang: role} if role else {}, aliases))
    return people
