"""The drafting app's services: the publication's voice, and drafts."""

from drafting.services.voice import (
    add_glossary_term,
    delete_glossary_term,
    save_prompt_template,
    set_house_style,
    update_glossary_term,
)

__all__ = [
    "add_glossary_term",
    "delete_glossary_term",
    "save_prompt_template",
    "set_house_style",
    "update_glossary_term",
]
