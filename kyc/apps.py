from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class KycConfig(AppConfig):
    name = "kyc"
    verbose_name = "KYC"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .models import KycLevel
        from .selectors import levels_invalidate_all

        def changed(sender, **kwargs):
            levels_invalidate_all()

        post_save.connect(changed, sender=KycLevel, dispatch_uid="kyc-levels-saved", weak=False)
        post_delete.connect(changed, sender=KycLevel, dispatch_uid="kyc-levels-deleted", weak=False)
