"""Sorting reports as they are stored, and learning from officers' corrections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.core.access import Gate, require
from bot.core.users import Access
from bot.reporting.model import Correction, Report
from bot.sorting import Classification, Classifier, LabelledExample
from bot.sorting.encoder import Vectors, shared_encoder

log = logging.getLogger(__name__)


class CorrectionStore(Protocol):
    """Where corrections are kept and reports relabelled."""

    async def relabel(
        self, report_id: int, changes: dict[str, str], correction: Correction
    ) -> Report: ...
    async def corrections(self) -> list[Correction]: ...
    async def by_reference(self, reference: str) -> Report | None: ...


class InvalidLabel(ValueError):
    """A kind, topic or urgency code that the taxonomy does not have."""


def _classifier_encoder_later() -> Classifier:
    """Build the shipped classifier; its sentence encoder is loaded afterwards."""
    return Classifier(load_encoder=False)


def _example(correction: Correction) -> LabelledExample:
    return LabelledExample.model_validate(
        {
            "text": correction.text,
            "lang": correction.language,
            "kind": correction.kind,
            "topic": correction.topic,
            "urgency": correction.urgency,
        }
    )


class SortingService:
    """Classify texts; apply officers' corrections to reports and to the classifier at once."""

    def __init__(
        self,
        store: CorrectionStore,
        make_classifier: Callable[[], Classifier] | None = None,
        gate: Gate | None = None,
        topics: frozenset[str] | None = None,
        *,
        encoder: bool = True,
    ) -> None:
        self._gate = gate
        self._encoder = encoder  # SORTING_ENCODER: off sorts by lexicons and naive Bayes only
        self._topics = topics  # the administration's topic codes; None: any
        self._store = store
        self._make = make_classifier or _classifier_encoder_later
        self._classifier: Classifier | None = None
        self._loading: asyncio.Task[None] | None = None
        self._encoding: asyncio.Task[None] | None = None

    def start_loading(self) -> None:
        """Begin loading in the background, so that the bot answers while the model loads."""
        if self._loading is None:
            self._loading = asyncio.create_task(self.load(), name="load-classifier")

    async def stop(self) -> None:
        """Stop a load still running (at shutdown)."""
        for task in (self._loading, self._encoding):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def ready(self) -> Classifier:
        """Return the classifier once loaded (loading it now if nobody started)."""
        if self._classifier is None:
            self.start_loading()
            assert self._loading is not None
            await self._loading
        assert self._classifier is not None
        return self._classifier

    async def settled(self) -> None:
        """Wait until the classifier and, unless switched off, its encoder are loaded."""
        await self.ready()
        if self._encoding is not None:
            await self._encoding

    async def load(self) -> None:
        """Build the classifier (off the event loop) with every stored correction."""
        corrections = [_example(c) for c in await self._store.corrections()]

        def build() -> Classifier:
            classifier = self._make()
            if corrections:
                classifier.train(corrections)
            return classifier

        classifier = await asyncio.to_thread(build)
        self._classifier = classifier
        log.info("classifier ready", extra={"corrections": len(corrections)})
        if self._encoder and classifier.needs_encoder:  # a second or more: lexicons meanwhile
            self._encoding = asyncio.create_task(self._attach_encoder(classifier))

    async def _attach_encoder(self, classifier: Classifier) -> None:
        """Load the sentence encoder off the event loop and hand it to the classifier."""
        classifier.attach(await asyncio.to_thread(shared_encoder))
        log.info("sentence encoder ready")

    async def report(self, reference: str) -> Report | None:
        """Return the report with this reference."""
        return await self._store.by_reference(reference)

    async def report_for(self, actor_id: int, reference: str) -> Report | None:
        """Return how a report is sorted, to an officer only (refusals audited)."""
        await require(self._gate, actor_id, Access.OFFICER, "correct")
        return await self._store.by_reference(reference)

    async def classify(self, text: str, language: str | None = None) -> Classification:
        """Sort one text (about 2 ms once the classifier is loaded)."""
        return (await self.ready()).classify(text, language)

    async def embed(self, texts: Sequence[str]) -> list[Vectors]:
        """Return the sentence embeddings of texts (for similar reports), off the event loop."""
        classifier = await self.ready()
        return await asyncio.to_thread(classifier.embed, texts)

    async def correct(
        self,
        report: Report,
        officer_id: int,
        *,
        kind: str | None = None,
        topic: str | None = None,
        urgency: str | None = None,
    ) -> Report:
        """Relabel a report, store the correction, and teach the classifier (no restart)."""
        changes = {k: v for k, v in (("kind", kind), ("topic", topic), ("urgency", urgency)) if v}
        correction = Correction(
            report_id=report.id,
            officer_id=officer_id,
            text=report.description,
            language=report.text_language or report.language,
            **changes,
        )
        try:
            example = _example(correction)
        except ValueError as problem:
            raise InvalidLabel(str(problem)) from None
        if example.kind is None and example.topic is None and example.urgency is None:
            raise InvalidLabel("nothing to correct")
        if example.topic is not None and example.topic not in (self._topics or {example.topic}):
            raise InvalidLabel(f"unknown topic {example.topic!r}")
        classifier = await self.ready()
        updated = await self._store.relabel(report.id, changes, correction)
        classifier.learn(
            example.text,
            example.lang,
            kind=example.kind,
            topic=example.topic,
            urgency=example.urgency,
        )
        return updated
