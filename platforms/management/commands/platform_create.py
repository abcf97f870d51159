from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ccpro.errors import DomainError
from platforms.models import JwtAlgorithm, Platform
from platforms.services import platform_create


class Command(BaseCommand):
    help = (
        "Create a partner platform with a new RSA key pair and HMAC secret. The private key is printed once "
        "(or written to --private-key-out); CCPro keeps only the public key."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Short code, e.g. DEMOSHOP")
        parser.add_argument("name")
        parser.add_argument("--base-url", default="")
        parser.add_argument("--ien-url", default="")
        parser.add_argument("--ien-type", choices=Platform.IenType.values, default=Platform.IenType.JWT)
        parser.add_argument("--algorithm", choices=JwtAlgorithm.values, default=JwtAlgorithm.RS512)
        parser.add_argument("--private-key-out", help="Write the private key to this file (mode 600) instead.")

    def handle(self, *args, **options):
        try:
            platform, private_pem = platform_create(
                code=options["code"],
                name=options["name"],
                base_url=options["base_url"],
                ien_url=options["ien_url"],
                ien_type=options["ien_type"],
                jwt_algorithm=options["algorithm"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except Exception as exc:  # noqa: BLE001 - model validation (bad URL …) reported as a command error
            if type(exc).__name__ == "ValidationError":
                raise CommandError(str(exc)) from exc
            raise
        self.stdout.write(f"Platform {platform.code} created: id {platform.pk}")
        self.stdout.write(f"JWT algorithm: {platform.jwt_algorithm}; HMAC secret: {platform.hmac_secret}")
        out = options.get("private_key_out")
        if out:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(private_pem)
            path.chmod(0o600)
            self.stdout.write(f"Private key written to {path} (CCPro does not keep it).")
        else:
            self.stdout.write("Private key (shown once, CCPro does not keep it):")
            self.stdout.write(private_pem)
