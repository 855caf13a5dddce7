"""The institutions' short forms: the shipped glossary, normalisation, the order of resolution,
names typed by hand resolving to the rows that exist, and the glossary's services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common.exceptions import InvalidInput
from papers import selectors
from papers.enums import MetadataSource
from papers.institutions import (
    Glossary,
    GlossaryTerm,
    freeze,
    normalise_name,
    ror_chinese_label,
    short_forms,
    shown_as_typed,
    thaw,
    typed_short_forms,
)
from papers.models import (
    Institution,
    InstitutionGlossaryChange,
    InstitutionGlossaryEntry,
    PaperInstitution,
)
from papers.selectors import institution_names, institutions_without_short_form
from papers.services import PaperMetadata, apply_paper_metadata
from papers.services.institutions import (
    institutions_for_names,
    name_institution,
    save_glossary_entry,
)
from tests.factories import PaperFactory
from tests.factories.papers import InstitutionFactory

DATA = Path(__file__).resolve().parents[2] / "papers" / "data" / "institutions_glossary.json"

# --- the shipped glossary -----------------------------------------------------------------------


def _shipped() -> list[dict[str, Any]]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def test_shipped_glossary_holds_at_least_200_institutions_each_with_both_short_forms() -> None:
    entries = _shipped()
    assert len(entries) >= 200
    for entry in entries:
        assert set(entry) == {"name", "ror_id", "short_zh", "short_en", "aliases"}, entry
        for field in ("name", "short_zh", "short_en"):
            assert entry[field].strip() == entry[field] != "", entry
        assert max(len(entry["short_zh"]), len(entry["short_en"])) <= 60
        assert "|" not in entry["short_zh"] + entry["short_en"]
        assert entry["ror_id"] is None or len(entry["ror_id"]) == 9
        assert all(isinstance(alias, str) and alias.strip() for alias in entry["aliases"])


def test_shipped_glossary_has_no_duplicate_name_ror_id_or_chinese_short_form() -> None:
    entries = _shipped()
    for field in ("name", "ror_id", "short_zh"):
        values = [e[field] for e in entries if e[field]]
        assert len(values) == len(set(values)), field
    # No name or alias of one entry is another's, once normalised: matching stays unambiguous.
    owners: dict[str, str] = {}
    for entry in entries:
        for name in (entry["name"], *entry["aliases"]):
            key = normalise_name(name)
            assert owners.setdefault(key, entry["name"]) == entry["name"], name


def test_shipped_glossary_names_the_community_short_forms() -> None:
    by_name = {e["name"]: e for e in _shipped()}
    assert (
        by_name["Stanford University"]["short_zh"],
        by_name["Stanford University"]["ror_id"],
    ) == (
        "斯坦福",
        "00f54p054",
    )
    expected = {
        "Massachusetts Institute of Technology": ("麻省理工", "MIT"),
        "Carnegie Mellon University": ("卡内基梅隆", "CMU"),
        "University of California, Berkeley": ("伯克利", "UC Berkeley"),
        "Tsinghua University": ("清华", "Tsinghua"),
        "Peking University": ("北大", "PKU"),
        "Google": ("谷歌", "Google"),
        "Microsoft Research Asia": ("微软亚洲研究院", "MSRA"),
        "Beijing Academy of Artificial Intelligence": ("智源", "BAAI"),
        "Shanghai Artificial Intelligence Laboratory": ("上海人工智能实验室", "Shanghai AI Lab"),
        "Alibaba DAMO Academy": ("阿里达摩院", "DAMO Academy"),
    }
    for name, forms in expected.items():
        assert (by_name[name]["short_zh"], by_name[name]["short_en"]) == forms


@pytest.mark.django_db
def test_migration_loads_the_shipped_glossary() -> None:
    assert InstitutionGlossaryEntry.objects.count() == len(_shipped())
    stanford = InstitutionGlossaryEntry.objects.get(ror_id="00f54p054")
    assert (stanford.name, stanford.short_zh, stanford.short_en) == (
        "Stanford University",
        "斯坦福",
        "Stanford",
    )
    assert stanford.updated_by is None


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Stanford Univ.", "Stanford University"),
        ("The University of Tokyo", "University of Tokyo"),
        ("ETH Zürich", "ETH Zurich"),
        ("Technion - Israel Institute of Technology", "Technion – Israel Institute of Technology"),
        ("哈尔滨工业大学（深圳）", "哈尔滨工业大学(深圳)"),
        ("ＭＩＴ", "mit"),
        ("Google Inc.", "Google"),
        ("Texas A&M University", "Texas A and M University"),
    ],
)
def test_normalise_name_gives_two_spellings_one_key(one: str, other: str) -> None:
    assert normalise_name(one) == normalise_name(other)


def test_normalise_name_keeps_institutions_apart() -> None:
    assert normalise_name("University of Washington") != normalise_name(
        "Washington University in St. Louis"
    )


# --- the order of resolution --------------------------------------------------------------------


def _institution(**fields: Any) -> Institution:
    return Institution(**{"name": "Somewhere", "name_zh": "", "names": [], **fields})


GLOSSARY = Glossary(
    [
        GlossaryTerm(1, "Stanford University", "00f54p054", "斯坦福", "Stanford", ("斯坦福大学",)),
        GlossaryTerm(2, "Google", None, "谷歌", "Google", ("Google Research", "Google Brain")),
        GlossaryTerm(3, "Nanyang Technological University", None, "南洋理工", "NTU"),
        GlossaryTerm(4, "National Taiwan University", None, "台大", "NTU"),
    ]
)
ROR_TSINGHUA = [
    {"value": "Tsinghua University", "lang": "en", "types": ["label", "ror_display"]},
    {"value": "清华大学", "lang": "zh", "types": ["label"]},
    {"value": "THU", "lang": None, "types": ["acronym"]},
]


def test_short_forms_come_from_the_glossary_by_ror_id_whatever_the_name() -> None:
    forms = short_forms(
        _institution(name="Leland Stanford Junior U.", ror_id="00f54p054"), GLOSSARY
    )
    assert (forms.zh, forms.en, forms.zh_source, forms.entry_id) == (
        "斯坦福",
        "Stanford",
        "glossary",
        1,
    )


def test_short_forms_come_from_the_glossary_by_alias_or_ror_names() -> None:
    by_alias = short_forms(_institution(name="Google Brain"), GLOSSARY)
    assert (by_alias.zh, by_alias.en, by_alias.zh_source) == ("谷歌", "Google", "glossary")
    by_ror_name = short_forms(
        _institution(
            name="Leland Stanford Junior University",
            names=[{"value": "Stanford University", "lang": "en", "types": ["alias"]}],
        ),
        GLOSSARY,
    )
    assert (by_ror_name.zh, by_ror_name.zh_source) == ("斯坦福", "glossary")


def test_short_forms_come_next_from_ror_chinese_label() -> None:
    forms = short_forms(
        _institution(
            name="Tsinghua University", ror_id="03cve4549", names=ROR_TSINGHUA, name_zh="清华"
        ),
        Glossary(),
    )
    assert (forms.zh, forms.en, forms.zh_source) == ("清华大学", "Tsinghua University", "ror")


def test_short_forms_come_then_from_aminer_chinese_name() -> None:
    forms = short_forms(
        _institution(name="Beijing Jiaotong University", name_zh="北京交通大学"), Glossary()
    )
    assert (forms.zh, forms.en, forms.zh_source) == (
        "北京交通大学",
        "Beijing Jiaotong University",
        "aminer",
    )


def test_short_forms_are_none_otherwise_and_the_name_is_shown() -> None:
    forms = short_forms(_institution(name="Institute of Nowhere"), Glossary())
    assert (forms.zh, forms.en, forms.zh_source, forms.has_zh) == (
        "Institute of Nowhere",
        "Institute of Nowhere",
        "",
        False,
    )


def test_short_forms_of_an_ambiguous_short_form_lead_to_no_entry() -> None:
    assert GLOSSARY.by_name("NTU") is None
    assert GLOSSARY.by_name("南洋理工").pk == 3


def test_ror_chinese_label_prefers_the_label_and_skips_what_is_not_ror_shaped() -> None:
    names = [
        "not a name",
        {"value": "清华", "lang": "zh-Hans", "types": ["alias"]},
        {"value": 7, "lang": "zh", "types": ["label"]},
        {"value": "清华大学", "lang": "zh", "types": ["label"]},
    ]
    assert ror_chinese_label(names) == "清华大学"
    assert ror_chinese_label(names[:2]) == "清华"
    assert ror_chinese_label({"value": "x"}) == ""


def _pair(line: str) -> tuple[str, str]:
    forms = typed_short_forms(line, GLOSSARY)
    return forms.zh, forms.en


def test_typed_short_forms_read_a_pair_the_glossary_or_the_line() -> None:
    assert _pair("斯坦福") == ("斯坦福", "Stanford")
    assert _pair("Stanford Univ.") == ("斯坦福", "Stanford")
    assert _pair("某实验室 | Some Lab") == ("某实验室", "Some Lab")
    assert _pair("Some Lab") == ("Some Lab", "Some Lab")


def _as_typed(name: str) -> tuple[str, str]:
    forms = shown_as_typed(name, GLOSSARY)
    return forms.zh, forms.en


def test_shown_as_typed_keeps_the_chinese_and_takes_the_english_in_its_register() -> None:
    # A full name or an alias keeps its Chinese and gives the full English name.
    assert _as_typed("斯坦福大学") == ("斯坦福大学", "Stanford University")
    assert _as_typed(" Google Brain ") == ("Google Brain", "Google")
    # A short form gives the English short form.
    assert _as_typed("斯坦福") == ("斯坦福", "Stanford")
    assert _as_typed("Stanford") == ("Stanford", "Stanford")
    # Unknown, or ambiguous (two NTU): the name in both languages.
    assert _as_typed("某实验室") == ("某实验室", "某实验室")
    assert _as_typed("NTU") == ("NTU", "NTU")


def test_freeze_keeps_both_languages_and_thaw_reads_old_copies() -> None:
    frozen = freeze([_pair("斯坦福"), _pair("Some Lab")])
    assert frozen == "斯坦福 | Stanford\nSome Lab"
    assert thaw(frozen) == [("斯坦福", "Stanford"), ("Some Lab", "Some Lab")]
    # A copy frozen before both languages were kept: one name, the same in both.
    assert thaw("Stanford University\n\n高丽大学") == [
        ("Stanford University", "Stanford University"),
        ("高丽大学", "高丽大学"),
    ]


# --- names typed by hand or fetched -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["斯坦福", "Stanford", "Stanford Univ.", "斯坦福大学", "stanford university"]
)
def test_typed_name_resolves_to_the_existing_stanford_row(typed: str) -> None:
    stanford = InstitutionFactory(name="Stanford University", ror_id="00f54p054")
    paper = PaperFactory()
    apply_paper_metadata(
        paper, PaperMetadata(title="T", institutions=[typed]), source=MetadataSource.MANUAL
    )
    assert list(
        PaperInstitution.objects.filter(paper=paper).values_list("institution", flat=True)
    ) == [stanford.pk]
    assert Institution.objects.filter(name__icontains="stanford").count() == 1
    assert not Institution.objects.filter(name=typed).exclude(pk=stanford.pk).exists()


@pytest.mark.django_db
def test_typed_short_form_without_a_row_makes_the_glossary_institution() -> None:
    rows = institutions_for_names(["斯坦福", "Korea University"])
    assert [(r.name, r.ror_id) for r in rows] == [
        ("Stanford University", "00f54p054"),
        ("Korea University", None),
    ]
    again = institutions_for_names(["Stanford", "korea university"])
    assert [r.pk for r in again] == [r.pk for r in rows]
    assert Institution.objects.count() == 2


@pytest.mark.django_db
def test_names_of_one_institution_become_one_row_in_order() -> None:
    rows = institutions_for_names(["Google Research", "MIT", "Google Brain", "斯坦福"])
    assert [r.name for r in rows] == [
        "Google",
        "Massachusetts Institute of Technology",
        "Stanford University",
    ]


@pytest.mark.django_db
def test_unknown_names_match_existing_rows_by_normalised_name() -> None:
    lab = InstitutionFactory(name="Institute for Odd Research")
    rows = institutions_for_names(["Inst. for Odd Research", "A New Lab"])
    assert rows[0].pk == lab.pk
    assert rows[1].name == "A New Lab"
    assert Institution.objects.count() == 2


@pytest.mark.django_db
def test_existing_row_with_the_exact_name_is_kept_even_if_the_glossary_maps_it() -> None:
    brain = InstitutionFactory(name="Google Brain")
    paper = PaperFactory()
    apply_paper_metadata(
        paper, PaperMetadata(title="T", institutions=["Google Brain"]), source=MetadataSource.ARXIV
    )
    assert institution_names(paper) == ["Google Brain"]
    # …and it is named as Google is.
    forms = selectors.institution_short_forms([brain])[brain.pk]
    assert (forms.zh, forms.en) == ("谷歌", "Google")


# --- the glossary's services --------------------------------------------------------------------


@pytest.mark.django_db
def test_name_institution_creates_an_entry_with_an_audit_row(editor: Any) -> None:
    lab = InstitutionFactory(name="Lab of Nowhere", ror_id="012345678")
    entry = name_institution(lab, by=editor, short_zh=" 无名实验室 ", short_en="Nowhere Lab")
    entry.refresh_from_db()
    assert (entry.name, entry.ror_id, entry.short_zh, entry.short_en, entry.updated_by) == (
        "Lab of Nowhere",
        "012345678",
        "无名实验室",
        "Nowhere Lab",
        editor,
    )
    change = InstitutionGlossaryChange.objects.get(entry=entry)
    assert (change.changed_by, change.before, change.after["short_zh"]) == (
        editor,
        {},
        "无名实验室",
    )
    assert selectors.institution_short_forms([lab])[lab.pk].zh == "无名实验室"


@pytest.mark.django_db
def test_name_institution_with_a_taken_short_form_adds_another_name(editor: Any) -> None:
    odd = InstitutionFactory(name="Stanford Uni (CA)")
    entry = name_institution(odd, by=editor, short_zh="斯坦福")
    assert entry.name == "Stanford University"
    assert "Stanford Uni (CA)" in entry.aliases
    assert InstitutionGlossaryEntry.objects.filter(short_zh="斯坦福").count() == 1
    assert selectors.institution_short_forms([odd])[odd.pk].zh == "斯坦福"


@pytest.mark.django_db
def test_name_institution_changes_the_entry_the_institution_has(editor: Any) -> None:
    stanford = InstitutionFactory(name="Stanford University", ror_id="00f54p054")
    entry = name_institution(stanford, by=editor, short_zh="斯坦福大学")
    assert (entry.short_zh, entry.short_en) == ("斯坦福大学", "Stanford")
    change = entry.changes.get()
    assert (change.before, change.after) == ({"short_zh": "斯坦福"}, {"short_zh": "斯坦福大学"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("short_zh", "message"),
    [
        ("", "Give the institution's Chinese short form."),
        ("长" * 61, "At most 60 characters, please."),
        ("甲|乙", "A short form cannot contain “|”."),
        ("坏\x00字", "This text contains control characters."),
    ],
)
def test_name_institution_refuses_bad_short_forms(editor: Any, short_zh: str, message: str) -> None:
    lab = InstitutionFactory(name="Lab of Nowhere")
    with pytest.raises(InvalidInput) as refused:
        name_institution(lab, by=editor, short_zh=short_zh)
    assert refused.value.message == message
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()


@pytest.mark.django_db
def test_save_glossary_entry_refuses_a_value_another_entry_holds(editor: Any) -> None:
    entry = InstitutionGlossaryEntry.objects.get(name="Peking University")
    with pytest.raises(InvalidInput) as refused:
        save_glossary_entry(entry, by=editor, short_zh="清华")
    assert (
        refused.value.message == "“清华” is the Chinese short form of Tsinghua University already."
    )
    assert refused.value.field == "short_zh"
    entry.refresh_from_db()
    assert entry.short_zh == "北大"


@pytest.mark.django_db
def test_save_glossary_entry_writes_nothing_when_nothing_changes(editor: Any) -> None:
    entry = InstitutionGlossaryEntry.objects.get(name="Peking University")
    save_glossary_entry(entry, by=editor, short_zh="北大", short_en="PKU")
    assert not InstitutionGlossaryChange.objects.exists()
    save_glossary_entry(
        entry,
        by=editor,
        aliases="北京大学\nPeking Univ.\n北京大学",
        ror_id="https://ror.org/02v51f717",
    )
    entry.refresh_from_db()
    assert entry.aliases == ["北京大学", "Peking Univ."]
    assert InstitutionGlossaryChange.objects.get().after == {
        "aliases": ["北京大学", "Peking Univ."]
    }


@pytest.mark.django_db
def test_save_glossary_entry_refuses_a_malformed_ror_id(editor: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        save_glossary_entry(None, by=editor, name="X Lab", ror_id="stanford")
    assert refused.value.field == "ror_id"
    assert not InstitutionGlossaryEntry.objects.filter(name="X Lab").exists()


# --- institutions without a Chinese short form ---------------------------------------------------


@pytest.mark.django_db
def test_institutions_without_short_form_most_frequent_first() -> None:
    from papers.models import Paper

    for _ in range(2):
        PaperFactory(institutions=["Lab of Nowhere", "Stanford University"])
    PaperFactory(institutions=["Another Lab", "北京某某研究院"])
    InstitutionFactory(name="Unused Lab")
    unnamed, total = institutions_without_short_form(Paper.objects.all())
    assert [(i.name, n) for i, n in unnamed] == [("Lab of Nowhere", 2), ("Another Lab", 1)]
    assert total == 2
