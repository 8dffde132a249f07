from django.apps import AppConfig


class GatewayConfig(AppConfig):
    """The SMTP gateway: receives email to fax, keeps each message before answering 250 and
    has the task worker turn it into fax jobs."""

    name = "faxline.gateway"
    label = "gateway"
    verbose_name = "SMTP gateway"
