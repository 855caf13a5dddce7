"""The drafting app's services: the publication's voice, and drafts."""

from drafting.services.drafts import (
    accept_draft,
    drafted_fields,
    drafting_on,
    request_draft,
    write_draft,
)
from drafting.services.voice import (
    add_glossary_term,
    delete_glossary_term,
    save_prompt_template,
    set_house_style,
    update_glossary_term,
)

__all__ = [
    "accept_draft",
    "add_glossary_term",
    "delete_glossary_term",
    "drafted_fields",
    "drafting_on",
    "request_draft",
    "save_prompt_template",
    "set_house_style",
    "update_glossary_term",
    "write_draft",
]
