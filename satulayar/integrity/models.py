"""Findings of the integrity rules, the inspectors' judgements of them, and each city's rule settings.

A finding is a pointer for an inspector, never a verdict: nothing here changes a daily status or a TPP deduction.
A rerun of a rule over the same days updates its findings (same `key`) and keeps their status and judgements.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from satulayar.integrity.choices import FindingStatus
from satulayar.org.models import City, Employee, Kelurahan, Unit


class RuleSetting(models.Model):
    """One city's switch and thresholds for one rule; a rule without a row runs with its defaults."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("aturan"), max_length=40)
    enabled = models.BooleanField(_("aktif"), default=True)
    params = models.JSONField(_("ambang"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "rule"], name="integrity_rule_setting_unique")]

    def __str__(self):
        return f"{self.city_id} {self.rule}"


class Finding(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("aturan"), max_length=40)
    key = models.CharField(max_length=200)  # what makes it the same finding in a later run
    score = models.FloatField(_("skor"))
    summary = models.CharField(_("ringkasan"), max_length=300)
    explanation = models.TextField(_("penjelasan"))
    employee = models.ForeignKey(Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_date = models.DateField(_("dari"))
    last_date = models.DateField(_("sampai"))
    evidence = models.JSONField(default=list)  # [{"kind": "punch", "id": 1, "at": "...", "text": "..."}]
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "-last_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["city", "rule", "key"], name="integrity_finding_unique")]
        indexes = [models.Index(fields=["city", "status"]), models.Index(fields=["city", "-score"])]

    def __str__(self):
        return self.summary

    @property
    def status_colour(self) -> str:
        return FindingStatus(self.status).colour

    @property
    def rule_title(self) -> str:
        from satulayar.integrity.rules import RULES

        return RULES[self.rule].TITLE if self.rule in RULES else self.rule


class Review(models.Model):
    """One judgement of a finding by an inspector; the latest sets the finding's status. Never edited."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(_("penilaian"), max_length=10, choices=FindingStatus.choices)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.finding_id} {self.status}"
