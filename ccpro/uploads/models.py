from django.conf import settings
from django.db import models
from django.utils import timezone


class StoredFile(models.Model):
    """An uploaded file. Its integer id is what the API shows (`cardImage1: "1945"`)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_files")
    purpose = models.CharField(max_length=40)
    file = models.FileField(upload_to="private/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["owner", "purpose"])]

    def __str__(self):
        return f"{self.pk} {self.purpose} ({self.content_type})"
