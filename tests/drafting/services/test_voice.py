"""The publication's voice: house style, glossary and prompt versions, by its editors only."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from drafting import selectors, services
from drafting.enums import Spacing
from drafting.house_style import GlossaryEntry
from drafting.models import GlossaryTerm, HouseStyleSettings, PromptTemplate
from publications.models import PublicationChange

pytestmark = pytest.mark.django_db


def test_set_house_style_stores_and_records(publication: Any, editor: Any) -> None:
    services.set_house_style(
        publication, by=editor, spacing=Spacing.SPACE, summary_min_length=80, summary_max_length=400
    )
    style = selectors.house_style_of(publication)
    assert (style.spacing, style.summary_length, style.title_length) == ("space", (80, 400), (0, 0))
    change = PublicationChange.objects.get()
    assert (change.actor, change.action) == (editor, "edit_house_style")


def test_set_house_style_refuses_a_range_upside_down(publication: Any, editor: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.set_house_style(
            publication, by=editor, spacing="space", summary_min_length=500, summary_max_length=400
        )
    assert raised.value.field == "summary_min_length"
    assert not HouseStyleSettings.objects.exists()


def test_set_house_style_refuses_an_unknown_spacing(publication: Any, editor: Any) -> None:
    with pytest.raises(InvalidInput):
        services.set_house_style(publication, by=editor, spacing="wide")


@pytest.mark.parametrize("role", ["contributor", "reviewer"])
def test_voice_is_the_editors(publication: Any, role: str, request: Any) -> None:
    user = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        services.set_house_style(publication, by=user, spacing="space")
    with pytest.raises(NotAllowed):
        services.add_glossary_term(publication, by=user, term="BERT")
    with pytest.raises(NotAllowed):
        services.save_prompt_template(publication, by=user, instructions="Hi")
    assert not PublicationChange.objects.exists()


def test_glossary_terms_become_the_checks_glossary(publication: Any, editor: Any) -> None:
    services.add_glossary_term(
        publication,
        by=editor,
        term=" pretraining ",
        translation="预训练",
        avoid="预先训练\r\n\r\n前训练",
    )
    services.add_glossary_term(publication, by=editor, term="BERT")
    assert selectors.house_style_of(publication).glossary == (
        GlossaryEntry("BERT", "", ()),
        GlossaryEntry("pretraining", "预训练", ("预先训练", "前训练")),
    )


def test_glossary_refuses_a_term_twice_whatever_its_case(publication: Any, editor: Any) -> None:
    services.add_glossary_term(publication, by=editor, term="BERT")
    with pytest.raises(InvalidInput) as raised:
        services.add_glossary_term(publication, by=editor, term="bert")
    assert raised.value.field == "term"
    assert GlossaryTerm.objects.count() == 1


def test_glossary_refuses_avoiding_the_rendering_it_uses(publication: Any, editor: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.add_glossary_term(
            publication, by=editor, term="fine-tuning", translation="微调", avoid="微调"
        )
    assert raised.value.field == "avoid"


def test_update_and_delete_glossary_term(publication: Any, editor: Any) -> None:
    term = services.add_glossary_term(
        publication, by=editor, term="fine-tuning", translation="精调"
    )
    services.update_glossary_term(
        term, by=editor, term="fine-tuning", translation="微调", avoid="精调"
    )
    term.refresh_from_db()
    assert (term.translation, term.avoided) == ("微调", ("精调",))
    services.delete_glossary_term(term, by=editor)
    assert not GlossaryTerm.objects.exists()
    notes = list(PublicationChange.objects.order_by("pk").values_list("note", flat=True))
    assert notes == [
        "Added fine-tuning → 精调",
        "Changed fine-tuning → 精调 to fine-tuning → 微调",
        "Deleted fine-tuning → 微调",
    ]


def test_save_prompt_template_numbers_versions(publication: Any, editor: Any) -> None:
    first = services.save_prompt_template(publication, by=editor, instructions="One\r\n")
    second = services.save_prompt_template(publication, by=editor, instructions="Two", examples=0)
    assert (first.version, second.version) == (1, 2)
    assert first.instructions == "One"
    assert selectors.current_prompt(publication) == second
    assert [t.version for t in selectors.prompt_templates(publication)] == [2, 1]


@pytest.mark.parametrize(
    ("instructions", "examples", "field"),
    [("", 3, "instructions"), ("x" * 8001, 3, "instructions"), ("Hi", 11, "examples")],
)
def test_save_prompt_template_refuses(
    publication: Any, editor: Any, instructions: str, examples: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.save_prompt_template(
            publication, by=editor, instructions=instructions, examples=examples
        )
    assert raised.value.field == field
    assert not PromptTemplate.objects.exists()
