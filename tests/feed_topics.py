"""A test-only Pelican plugin that puts topics into the site model, as search does.

The feeds must follow whatever ``model.topics`` holds, whoever computed it; this plugin
lets a test say which papers each topic lists, without a search index:

    build(site, overrides={"PLUGINS": [..., "tests.feed_topics"],
                           "FEED_TEST_TOPICS": {"Diffusion models": ["slug-a", "slug-b"]}})
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from generator.identity import collection_slug
from generator.pelican_plugin import MODEL_KEY
from generator.site.model import Listing

PLUGINS = ["generator.pelican_plugin", "tests.feed_topics"]


def register() -> None:
    signals.get_generators.connect(get_generators)


def get_generators(_pelican: object, **_kwargs: object) -> list[type[Generator]]:
    return [TestTopicsGenerator]


class TestTopicsGenerator(Generator):
    def generate_context(self) -> None:
        # Pelican's signals are global: once a test has loaded this plugin, its receiver
        # stays connected for the rest of the session.  Builds that did not ask for test
        # topics keep the topics that search computed.  A build with nothing changed since
        # the last one has no model: it makes nothing.
        model = self.context.get(MODEL_KEY)
        if "FEED_TEST_TOPICS" not in self.settings or model is None:
            return
        topics = []
        for name, slugs in self.settings.get("FEED_TEST_TOPICS", {}).items():
            papers = tuple(p for p in model.papers if p.slug in slugs)
            topics.append(Listing("topic", collection_slug(name), name, papers, " OR ".join(slugs)))
        self.context[MODEL_KEY] = model.with_topics(topics)
