"""feedback-bot check-config: read the settings and reference data as a start would, then stop."""

from __future__ import annotations

from typing import TextIO

from bot.core.labels import TOPICS
from bot.core.taxonomy import OTHER_TOPIC, Taxonomy
from config.reference_data import load_taxonomy
from config.settings import Settings


def topic_warnings(taxonomy: Taxonomy) -> list[str]:
    """Return what the classifier cannot do with these topics (it knows a fixed set)."""
    codes = [topic.code for topic in taxonomy.topics]
    warnings = [
        f"topic {code!r} is offered to traders but the classifier never suggests it"
        for code in codes
        if code not in TOPICS
    ]
    warnings += [
        f"topic {code!r} is known to the classifier but not in topics.toml: never suggested"
        for code in TOPICS
        if code not in codes and code != OTHER_TOPIC
    ]
    return warnings


def check_config(settings: Settings, out: TextIO, err: TextIO) -> int:
    """Describe the configuration that would be used; warnings go to err; return 0."""
    taxonomy = load_taxonomy(settings.config_dir)
    for warning in topic_warnings(taxonomy):
        err.write(f"Warning: {settings.config_dir / 'topics.toml'}: {warning}\n")
    placed = sum(1 for office in taxonomy.offices if office.lat is not None)
    out.write(
        f"Settings OK. Reference data from {settings.config_dir}: "
        f"{len(taxonomy.topics)} topics, {len(taxonomy.offices)} offices ({placed} with "
        f"coordinates); {len(settings.holidays)} holidays; references like "
        f"{settings.reference_prefix}-2026-00042.\n"
    )
    return 0
