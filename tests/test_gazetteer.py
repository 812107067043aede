"""The merged gazetteer: data/places.toml + GeoNames cities of Kazakhstan and Russia."""

from __future__ import annotations

import pytest

from bot.kb import geonames
from bot.kb.gazetteer import MergedGazetteer, merge_places, ru_case_forms, with_cities
from bot.kb.geonames import by_geonames_id, geonames_cities, geonames_id_of
from bot.kb.ingest import parse_news
from bot.kb.places import Gazetteer
from bot.kb.sources import DATA_DIR, Place, document_from_dict, load_places, load_sources

MOSCOW, UST_KAMENOGORSK, ORAL, UFA = 524901, 1520316, 608668, 479561


@pytest.fixture(scope="module")
def curated() -> Gazetteer:
    return Gazetteer(load_places())


@pytest.fixture(scope="module")
def merged(curated: Gazetteer) -> MergedGazetteer:
    return with_cities(curated)


def ids(gazetteer: MergedGazetteer, text: str) -> list[str]:
    return [p.id for p in gazetteer.find(text)]


# -- GeoNames ------------------------------------------------------------------------------


def test_cities_of_kazakhstan_and_russia() -> None:
    cities = geonames_cities()
    countries = {c.country for c in cities}
    assert countries == {"KZ", "RU"}
    assert sum(c.country == "KZ" for c in cities) > 150
    assert sum(c.country == "RU" for c in cities) > 1800
    assert all(c.population and c.population >= geonames.MIN_POPULATION for c in cities)
    assert [c.geonames_id for c in cities] == sorted(c.geonames_id or 0 for c in cities)
    assert geonames_cities() is cities  # read once per process
    ufa = by_geonames_id(UFA)
    assert ufa is not None and ufa.id == "ufa-479561" and geonames_id_of(ufa.id) == UFA
    assert ufa.name == {"en": "Ufa", "ru": "Уфа"}
    assert ufa.parent == "russia" and ufa.lat is not None and ufa.lon is not None


def test_fast_read_gives_what_the_api_gives() -> None:
    fast = {r["geonameid"]: r for r in geonames._records()}
    api = {r["geonameid"]: r for r in geonames._records_from_api()}
    assert fast == api


def test_no_adjectives_or_codes_among_names() -> None:
    names = {n for c in geonames_cities() for n in [*c.name.values(), *c.variants]}
    for word in ("Советский", "Мирный", "Октябрьский", "Центральный", "MOW", "Moskau", "Mosca"):
        assert word not in names


# -- merging -------------------------------------------------------------------------------


def test_places_toml_wins(merged: MergedGazetteer) -> None:
    oskemen = merged.by_id["oskemen"]
    assert oskemen.geonames_id == UST_KAMENOGORSK and oskemen.population
    assert oskemen.name["kk"] == "Өскемен"  # the curated names and coordinates stay
    assert merged.by_id["moscow"].geonames_id == MOSCOW
    assert merged.by_id["oral"].geonames_id == ORAL
    assert not any(geonames_id_of(pid) in (MOSCOW, UST_KAMENOGORSK, ORAL) for pid in merged.by_id)
    assert "ufa-479561" in merged.by_id


def test_merge_by_geonames_id_before_names() -> None:
    ufa = by_geonames_id(UFA)
    assert ufa is not None
    ours = Place(id="bashkir-capital", kind="city", country="RU", name={"en": "X"}, geonames_id=UFA)
    merged, others, alias = merge_places([ours], [ufa])
    assert alias == {"ufa-479561": "bashkir-capital"}
    assert others == [] and merged[0].population == ufa.population


# -- finding places in real text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("В Усть-Каменогорске открылся центр русского языка.", "oskemen"),
        ("Өскеменде орыс тілі орталығы ашылды.", "oskemen"),
        ("A Russian language centre opened in Oskemen.", "oskemen"),
        ("Выставка прошла в Уральске.", "oral"),
        ("Көрме Оралда өтті.", "oral"),
        ("The exhibition was held in Uralsk.", "oral"),
        ("Переговоры прошли в Москве.", "moscow"),
        ("Келіссөздер Мәскеуде өтті.", "moscow"),
        ("The talks were held in Moscow.", "moscow"),
        ("Делегация из Уфы прибыла в Павлодар.", "ufa-479561"),
        ("Экибастуз и Ақсу облыс орталығына жақын.", "ekibastuz-1524325"),
        ("Встреча прошла в Нижнем Новгороде.", "nizhniy-novgorod-520555"),
        ("Форум прошёл в Ростове-на-Дону.", "rostov-on-don-501175"),
    ],
)
def test_one_place_in_any_spelling(merged: MergedGazetteer, text: str, place: str) -> None:
    cities = [p.id for p in merged.find(text) if p.kind == "city"]
    assert cities[:1] == [place]


@pytest.mark.parametrize(
    "text",
    [
        "Мир стал другим, и в мире стало больше дружбы.",  # the town Мир, the word мир
        "Жители сосновки собрались у клуба.",  # lower case: a word, not the village
        "Советский Союз распался, Октябрьский район остался.",  # adjectives
        "Центральный стадион принял игру Асык Ату.",  # Асык is not Есик
        "Social media helped the search movement.",  # Social is not Soči
        "Russian Students Meet Their Peers In Anna Karenina Style",  # Title Case headline
        "Уральский федеральный округ",  # a derived adjective
    ],
)
def test_ordinary_words_are_not_towns(merged: MergedGazetteer, text: str) -> None:
    assert not [pid for pid in ids(merged, text) if geonames_id_of(pid) is not None]


def test_capitalised_village_is_found_and_the_largest_wins(merged: MergedGazetteer) -> None:
    [place] = merged.find("Сосновка отметила юбилей.")
    sosnovkas = [c for c in geonames_cities() if c.name.get("ru") == "Сосновка"]
    assert len(sosnovkas) > 1
    assert place.population == max(c.population or 0 for c in sosnovkas)


def test_names_of_people_are_not_towns(merged: MergedGazetteer, curated: Gazetteer) -> None:
    text = (
        "Памятник Абаю Кунанбаеву и Александру Пушкину открыли в Астане. Поэт Абай Кунанбаев "
        "переводил Пушкина на казахский язык, и его переводы читают до сих пор."
    )
    assert {"abay-1526970", "pushkin-504003"} <= set(ids(merged, text))  # without people...
    doc = parse_news(text, source="poets.txt", gazetteer=curated)
    assert doc.places == ["astana"]  # ...and with the people ingest found
    assert doc.mentioned_places == []


def test_ru_case_forms() -> None:
    assert ru_case_forms("Москва") == ["Москвы", "Москве", "Москву", "Москвой"]
    assert ru_case_forms("Караганда") == ["Караганды", "Караганде", "Караганду", "Карагандой"]
    assert ru_case_forms("Алма-Ата") == ["Алма-Аты", "Алма-Ате", "Алма-Ату", "Алма-Атой"]
    assert "Нижнем Новгород" in ru_case_forms("Нижний Новгород")
    assert ru_case_forms("Уральск") == [] and ru_case_forms("Moscow") == []


# -- ingest and the KB ----------------------------------------------------------------------


MOSCOW_NEWS = (
    "В Москве состоялась встреча посла Казахстана с представителями деловых кругов, "
    "прибывших из Алматы. Стороны обсудили вопросы торговли и логистики между странами."
)


def test_a_moscow_event_is_in_moscow(curated: Gazetteer) -> None:
    doc = parse_news(MOSCOW_NEWS, source="moscow.txt", gazetteer=curated)
    assert doc.places == ["moscow"]
    assert doc.mentioned_places == ["kazakhstan", "almaty"]


def test_a_town_outside_places_toml(curated: Gazetteer) -> None:
    text = (
        "Уфа, 12 марта. Делегация из Экибастуза посетила Уфу и обсудила поставки угля. "
        "Затем гости побывали в Оренбурге и встретились с предпринимателями региона."
    )
    doc = parse_news(text, source="ufa.txt", gazetteer=curated)
    assert doc.places == ["ufa-479561"]
    assert doc.mentioned_places == ["ekibastuz-1524325", "orenburg"]
    assert doc.countries == ["RU", "KZ"]


def test_kb_sources_carry_the_cities_documents_name() -> None:
    record = {
        "id": "ingest-ufa",
        "source": "ufa.txt",
        "title": {"ru": "Уфа"},
        "places": ["ufa-479561"],
        "mentioned_places": ["ust-kamenogorsk-1520316", "orenburg", "nowhere-1"],
    }
    sources = load_sources(DATA_DIR, [document_from_dict(record, "ingest")])
    doc = next(d for d in sources.documents if d.id == "ingest-ufa")
    assert doc.places == ["ufa-479561"]
    # a city places.toml has takes its id; an unknown id stays as it was
    assert doc.mentioned_places == ["oskemen", "orenburg", "nowhere-1"]
    place_ids = [p.id for p in sources.places]
    assert place_ids == [*(p.id for p in load_places(DATA_DIR)), "ufa-479561"]
    again = load_sources(DATA_DIR, [document_from_dict(record, "ingest")])
    assert again.places == sources.places  # deterministic


def test_curated_sources_do_not_read_geonames(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> None:
        raise AssertionError("GeoNames read for curated data")

    monkeypatch.setattr(geonames, "by_geonames_id", fail)
    sources = load_sources()
    assert [p.id for p in sources.places] == [p.id for p in load_places()]
    assert document_from_dict({"id": "x", "source": "y"}).places == []
