"""A small rule-based stemmer for Kazakh (Cyrillic script).

There is no usable offline Kazakh stemmer on PyPI, so this module strips
inflectional (and a few safe derivational) suffixes from the end of a word.
The goal is *retrieval consistency*, not linguistic correctness: all forms
of one lemma should reduce to the same string, and different lemmas should
rarely collide.

Design
------
* Input is one normalised token (lower case, ``ё`` folded; see
  :func:`bot.kb.text.normalize`).  Non-Cyrillic input and words shorter
  than three letters are returned unchanged.
* The word is stripped repeatedly: on every round the *longest* suffix from
  :data:`_SUFFIXES` whose conditions hold is removed, until no rule applies
  (at most :data:`_MAX_ROUNDS` rounds).  Because the same procedure runs on
  the remainder, ``stem(X + suffix) == stem(X)`` for (almost) every suffix
  that gets stripped -- this is what makes the inflected forms and the bare
  form meet, even when the bare form is itself over-stripped.
* Suffix inventory: case endings (genitive, accusative, dative, locative,
  ablative, instrumental, locative + relational ``-дағы``), possessives
  (3rd person ``-сы/-ы``, ``-мыз/-ымыз``, polite ``-ңыз/-ыңыз``), plural,
  derivational ``-лық/-дық/-тық``, agent ``-шы``, relational ``-ғы/-қы``,
  adjectival ``-и``, and verb endings (past = accusative ``-ды/-ты``,
  participles ``-ған/-қан``, ``-атын/-йтын``, present ``-ады/-еді``,
  converb ``-ып``, verbal noun ``-у``), each in all vowel-harmony variants
  (``-лар``/``-лер``); harmony itself is not checked because loanwords
  ignore it (``конференцияға``).
* Every suffix records which sounds may precede it, following Kazakh
  allomorphy (``-ның`` after vowels and м/н/ң, ``-дың`` after л/р/у/й/з/ж,
  ``-тың`` after voiceless consonants; ``-ты``/``-ті`` never after a vowel;
  ``-на``/``-нда``/``-н`` only after the possessive ``ы``/``і``; ``-сы`` after
  ``ы``/``і`` only in agent nouns, so ``облысы`` is облыс + ы; agent
  ``-шы`` only after a verbal noun, so ``ескерткіші`` is ескерткіш + і).
  These conditions prevent most false cuts: ``Алматы`` keeps ``-ты`` (a vowel
  precedes it), ``орта`` keeps ``-та`` (``р`` is voiced), ``Астана`` keeps
  ``-на`` (no possessive before it).
* A little morphotactics: after a case ending no second case ending is
  removed, and after a verbal suffix no nominal one (so ``қабылдау`` ->
  ``қабылда`` and not -> ``қабыл`` via the locative ``-да``).
* The remainder must keep at least three letters including a vowel (four
  for ``-ғы``/``-и``), or be one of a few genuine two-letter roots
  (:data:`_SHORT_ROOTS`: ел, ат, ұл, үй, іс, ән, ай, су, ту, өт).
* Before every round a final ``ғ``/``г``/``б`` is devoiced to ``қ``/``к``/``п``
  (``жылдығы`` -> ``жылдығ`` -> ``жылдық``, ``кітабы`` -> ``кітап``), so the
  intervocalic voicing alternation does not split paradigms.  The stem may
  therefore end in a devoiced letter (``Петербург`` -> ``петербурк``).
* Words in :data:`_PROTECTED` are never stripped further, and a suffix
  whose removal reveals a protected word wins: ``-стан`` country names
  (``-тан`` looks like the ablative), place names whose endings look like
  suffixes (Алматы, Қарағанды, Талдықорған, Атырау ...), ``елші``
  (ambassador, which would otherwise meet ``ел`` "country") and a few
  vowel-dropping roots (орын/орны via :data:`_IRREGULAR`).

Decisions (documented trade-offs)
---------------------------------
* ``жыл``, ``жылы``, ``жылдық``, ``жылдығы``, ``жылдығына`` all -> ``жыл``:
  the derivational ``-лық/-дық/-тық`` is stripped, as Russian Snowball
  does for ``80-летие`` -> ``лет``.  Likewise ``консулдық`` (consulate)
  -> ``консул``, ``елшілік`` (embassy) -> ``елші`` (ambassador),
  ``достық`` -> ``дос``.  Better recall, slightly lower precision.
* Verbal noun ``-у`` is stripped: ``қабылдау`` -> ``қабылда`` (= the verb
  root, so ``қабылдады`` meets it), ``іздестіру``/``іздестірушілер`` ->
  ``іздестір``.  Nouns that end in ``-у`` get a shortened but consistent
  stem (``Мәскеу``/``Мәскеуде`` -> ``мәске``).
* Passive/reflexive voice (``-ыл``, ``-ын``) is *not* stripped (``ауыл``,
  ``қызыл`` would be destroyed), so ``құрылды``/``құрылған`` -> ``құрыл``
  but ``құру`` -> ``құр``.
* 1st/2nd person singular possessives (``-м``, ``-ым``, ``-ң``, ``-ың``) are
  not stripped: they are rare in reference texts and clash with many roots
  (``адам``, ``білім``, ``мың``).  1st person plural (``еліміз``) and the
  polite 2nd person (``атыңыз``) are stripped.
* Present tense: ``-ады/-еді`` is stripped after a consonant (``өтеді``,
  ``болады`` -> ``өт``, ``бол``) except where the remainder looks like a
  verb in ``-да/-та/-ла`` (``қабылдады`` is қабылда + ды).  ``-йды`` is not
  a suffix (it would eat the ``й`` of ``Ресей``), so ``қабылдайды`` ->
  ``қабылдай``; and ``айтады`` -> ``айта`` (vs ``айтты`` -> ``айт``).

Known limits
------------
* Vowel-dropping stems are handled only through the small
  :data:`_IRREGULAR` table (халқы, орны, аузы, мұрны ...).
* A root that happens to end like a suffix is cut consistently in all its
  forms, which can merge unrelated words (``алтын`` "gold" and ``алты``
  "six" both -> ``алт``); stems can be non-words (``мәске``, ``бейсенп``).
* Verb morphology beyond the frequent question forms (tense, participles,
  converb, verbal noun) is not covered: no negation, mood, person endings.
* Words in Latin-script Kazakh are not stemmed.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["KK_FOLD", "kk_fold", "kk_stem"]

#: Kazakh-specific letters -> the Russian letters people type for them.
KK_FOLD = str.maketrans("әғқңөұүһі", "агкноуухи")


def kk_fold(word: str) -> str:
    """A Kazakh word as typed with Russian letters (қызметтер -> кызметтер)."""
    return word.translate(KK_FOLD)


def _with_folded(words: frozenset[str]) -> frozenset[str]:
    return words | {kk_fold(w) for w in words}


# --- sound classes (after normalisation: lower case, ё -> е) -----------------
# (folded forms included: у and и also stand for ұ ү і in words typed with Russian
# letters, so they count as vowels too)
_VOWELS = _with_folded(frozenset("аәеоөұүыіэюяё"))
# л/р and the glides у/й/и behave like sonorants for suffix allomorphy
_SONORANTS = frozenset("лруйи")
_NASALS = frozenset("мнң")
_VOICED = frozenset("жз")
# voiceless consonants, plus б/в/г/д/ғ which take voiceless allomorphs in
# (mostly borrowed) word-final position: Волгоградтың, клубқа
_VOICELESS = frozenset("пкқтсшщфхһцчбвгдғ")
_CONSONANTS = _SONORANTS | _NASALS | _VOICED | _VOICELESS
_ANY_VOWEL = _VOWELS | frozenset("уи")
_CYRILLIC = _VOWELS | _CONSONANTS | frozenset("ьъ")

_SHORT_ROOTS = _with_folded(frozenset({"ел", "ат", "ұл", "үй", "іс", "ән", "ай", "су", "ту", "өт"}))

_PROTECTED = _with_folded(
    frozenset(
        {
            # -стан names: "-тан" looks like the ablative after "с"
            "қазақстан",
            "өзбекстан",
            "қырғызстан",
            "тәжікстан",
            "түрікменстан",
            "ауғанстан",
            "пәкістан",
            "үндістан",
            "түркістан",
            "дағыстан",
            "татарстан",
            "башқұртстан",
            "гүлстан",
            # place names whose ending looks like a suffix
            "алматы",  # -ы possessive
            "қарағанды",  # -ды past, then -ған participle
            "талдықорған",  # -ған participle
            "атырау",  # -у verbal noun
            "жетісу",
            "ақсу",
            "ақтау",
            "ұлытау",
            "көкшетау",
            "қаратау",
            "тараз",
            "арқалық",  # -лық
            "сарыарқа",
            "ордабасы",  # -сы
            "ордасы",
            "сайрам",
            "қостанай",
            "мерейтой",
            "абылай",
            "абай",
            # agent nouns whose root would be a two-letter word
            "елші",  # ambassador, not ел "country"
            "тілші",
            "әнші",
            # roots that look inflected (their other forms go through _IRREGULAR)
            "орын",
            "мұрын",
            "ерін",
            "қойын",
            "қалып",
        }
    )
)

# Vowel-dropping stems (the vowel of the last syllable falls out before a
# vowel-initial suffix): map the reduced form back to the full root.
_IRREGULAR_PROPER = {
    "халқ": "халық",
    "ауз": "ауыз",
    "мұрн": "мұрын",
    "ерн": "ерін",
    "қалп": "қалып",
    "көрк": "көрік",
    "ерк": "ерік",
    "бөрк": "бөрік",
    "қойн": "қойын",
    "орн": "орын",
}

_IRREGULAR = {**_IRREGULAR_PROPER, **{kk_fold(k): kk_fold(v) for k, v in _IRREGULAR_PROPER.items()}}

_DEVOICE = {"ғ": "қ", "г": "к", "б": "п"}

_MIN_STEM = 3
_MAX_ROUNDS = 8


def _after(chars: frozenset[str]) -> Callable[[str], bool]:
    chars = _with_folded(chars)

    def check(rem: str) -> bool:
        return rem[-1] in chars

    return check


def _after_poss(rem: str) -> bool:
    # the 3rd person possessive -ы/-і (also -сы/-сі) precedes "n"-case forms
    return rem[-1] in "ыіи"


_V = _after(_VOWELS)
_C = _after(_CONSONANTS)
_VL = _after(_VOICELESS)
_ANY: Callable[[str], bool] = lambda rem: True  # noqa: E731
# after vowels and voiced sounds (да, ға, ды, ған ...)
_VOICED_OR_V = _after(_VOWELS | _SONORANTS | _NASALS | _VOICED)
# genitive -дың and ablative -дан: after л р у й и з ж (ablative also vowels)
_SON_Z = _after(_SONORANTS | _VOICED)
_V_SON_Z = _after(_VOWELS | _SONORANTS | _VOICED)
_V_NAS = _after(_VOWELS | _NASALS)
_NAS_OR_POSS = _after(_NASALS | frozenset("ыі"))
# plural -лар after vowels and р у й; -дар after л м н ң з ж
_LAR = _after(_VOWELS | frozenset("руйи"))
_DAR = _after(_NASALS | _VOICED | frozenset("л"))
# instrumental -мен after vowels and л р у й; -бен after м н ң з ж
_MEN = _after(_VOWELS | _SONORANTS)
_BEN = _after(_NASALS | _VOICED)


# Suffix categories; they restrict what may be stripped next (see kk_stem).
_CASE, _POSS, _PLURAL, _DERIV, _VERB = range(5)
_NOMINAL = frozenset({_CASE, _POSS, _PLURAL})

# Rule: (category, condition on the remainder, minimum remainder length,
#        whether the two-letter roots in _SHORT_ROOTS are allowed)
_Rule = tuple[int, Callable[[str], bool], int, bool]


def _rules(
    cat: int,
    suffixes: str,
    cond: Callable[[str], bool],
    min_len: int = _MIN_STEM,
    short_ok: bool = True,
) -> dict[str, _Rule]:
    return {s: (cat, cond, min_len, short_ok) for s in suffixes.split()}


def _sy(rem: str) -> bool:
    # -сы/-сі follows a vowel; a stem in -ы/-і only when it is an agent noun
    # in -шы/-ші (елшісі), otherwise "облысы" is облыс + ы, not облы + сы
    return rem[-1] in _VOWELS and (rem[-1] not in "ыіи" or rem.endswith(("шы", "ші", "ши")))


def _present(rem: str) -> bool:
    # -ады/-еді: present tense of a consonant-final verb (өт-еді, бол-ады).
    # A remainder like "қабылд", "баст", "жоспарл" is rather the past tense
    # of a verb in -да/-та/-ла (қабылда-ды), left to the -ды rule.
    if rem[-1] not in _CONSONANTS:
        return False
    if len(rem) < 2:
        return True
    if rem[-1] in "дт":  # айт-ады is present, қабылд-ады / сақт-ады are not
        return rem[-2] not in _CONSONANTS or rem[-2] == "й"
    if rem[-1] in "лғг":  # той-ла-ды, жоспар-ла-ды, қор-ға-ды are past
        return rem[-2] not in _CONSONANTS
    return True


def _agent(rem: str) -> bool:
    # agent -шы/-ші only after a verbal noun (іздестіру-ші, қатысу-шы);
    # elsewhere "шы/ші" is a stem in -ш plus the possessive (ескерткіш-і)
    return rem[-1] == "у"


_PROPER_SUFFIXES: dict[str, _Rule] = {
    # genitive
    **_rules(_CASE, "ның нің", _V_NAS),
    **_rules(_CASE, "дың дің", _SON_Z),
    **_rules(_CASE, "тың тің", _VL),
    # accusative; -ды/-ді/-ты/-ті are also the simple past
    **_rules(_CASE, "ны ні", _V),
    **_rules(_CASE, "ды ді", _VOICED_OR_V),
    **_rules(_CASE, "ты ті", _VL),
    **_rules(_CASE, "н", _after_poss),
    # dative
    **_rules(_CASE, "ға ге", _VOICED_OR_V),
    **_rules(_CASE, "қа ке", _VL),
    **_rules(_CASE, "на не", _after_poss),
    # locative
    **_rules(_CASE, "да де", _VOICED_OR_V),
    **_rules(_CASE, "та те", _VL),
    **_rules(_CASE, "нда нде", _after_poss),
    # locative + relational -ғы ("соғыстағы", "қаладағы")
    **_rules(_CASE, "дағы дегі", _VOICED_OR_V),
    **_rules(_CASE, "тағы тегі", _VL),
    **_rules(_CASE, "ндағы ндегі", _after_poss),
    # ablative
    **_rules(_CASE, "дан ден", _V_SON_Z),
    **_rules(_CASE, "нан нен", _NAS_OR_POSS),
    **_rules(_CASE, "тан тен", _VL),
    # instrumental
    **_rules(_CASE, "мен", _MEN),
    **_rules(_CASE, "бен", _BEN),
    **_rules(_CASE, "пен", _VL),
    # possessive 3rd person, 1st plural, polite 2nd person
    **_rules(_POSS, "сы сі", _sy),
    **_rules(_POSS, "ы і", _C),
    **_rules(_POSS, "мыз міз ңыз ңіз", _V),
    **_rules(_POSS, "ымыз іміз ыңыз іңіз", _C),
    # plural
    **_rules(_PLURAL, "лар лер", _LAR),
    **_rules(_PLURAL, "дар дер", _DAR),
    **_rules(_PLURAL, "тар тер", _VL),
    # derivational: abstract/adjective -лық, agent -шы, relational -ғы, -и
    **_rules(_DERIV, "лық лік", _LAR),
    **_rules(_DERIV, "дық дік", _DAR),
    **_rules(_DERIV, "тық тік", _VL),
    **_rules(_DERIV, "шы ші", _agent, short_ok=False),
    # (not after и: typed for і, "ерлиги" is ерлік + і)
    **_rules(_DERIV, "ғы гі", _after(_SONORANTS - {"и"} | _NASALS | _VOICED), 4, short_ok=False),
    **_rules(_DERIV, "қы кі", _VL, min_len=4, short_ok=False),
    **_rules(_DERIV, "и", _C, min_len=4, short_ok=False),
    # verbs: participles, present 3rd person, converb, verbal noun
    **_rules(_VERB, "ған ген", _VOICED_OR_V),
    **_rules(_VERB, "қан кен", _VL),
    **_rules(_VERB, "атын етін", _C),
    **_rules(_VERB, "йтын йтін", _V),
    **_rules(_VERB, "ады еді", _present),
    **_rules(_VERB, "ып іп", _C),
    **_rules(_VERB, "у", _ANY),
}


def _add_folded(rules: dict[str, _Rule]) -> dict[str, _Rule]:
    """The suffixes as typed with Russian letters too (-ның -> -нын, -ға -> -га). The
    one clash, possessive -і typed -и vs adjectival -и, takes the laxer condition."""
    out = dict(rules)
    for suffix, rule in rules.items():
        folded = kk_fold(suffix)
        other = out.get(folded)
        if other is None:
            out[folded] = rule
        elif other is not rule:
            out[folded] = (min(rule[0], other[0]), _C, min(rule[2], other[2]), True)
    return out


_SUFFIXES = _add_folded(_PROPER_SUFFIXES)
_MAX_SUFFIX = max(len(s) for s in _SUFFIXES)
_NO_BLOCK: frozenset[int] = frozenset()
# after a case ending no second case ending; after a verbal suffix no
# nominal suffix (қабылдау -> қабылда, not -> қабыл via the locative -да)
_BLOCKS = {_CASE: frozenset({_CASE}), _VERB: _NOMINAL}


def _ok_remainder(rem: str, min_len: int, short_ok: bool) -> bool:
    if len(rem) >= min_len:
        return any(ch in _ANY_VOWEL for ch in rem)
    return short_ok and rem in _SHORT_ROOTS


def _devoice(word: str) -> str:
    last = word[-1:]
    if last in _DEVOICE and len(word) > 1:
        return word[:-1] + _DEVOICE[last]
    return word


def kk_stem(word: str) -> str:
    """Return the stem of one normalised Kazakh (Cyrillic) token."""
    if len(word) < 3 or word in _PROTECTED or not all(ch in _CYRILLIC for ch in word):
        return word
    blocked = _NO_BLOCK
    for _ in range(_MAX_ROUNDS):
        word = _devoice(word)
        if word in _PROTECTED:
            break
        # a suffix whose removal reveals a protected word wins (орын-да)
        hit = next(
            (
                n
                for n in range(1, min(_MAX_SUFFIX, len(word) - 2) + 1)
                if word[-n:] in _SUFFIXES and word[:-n] in _PROTECTED
            ),
            0,
        )
        if hit:
            word = word[:-hit]
            break
        for n in range(min(_MAX_SUFFIX, len(word) - 2), 0, -1):
            rule = _SUFFIXES.get(word[-n:])
            if rule is None:
                continue
            cat, cond, min_len, short_ok = rule
            rem = word[:-n]
            if cat not in blocked and _ok_remainder(rem, min_len, short_ok) and cond(rem):
                word = rem
                blocked = _BLOCKS.get(cat, _NO_BLOCK)
                break
        else:
            break
    word = _IRREGULAR.get(word, word)
    return word
