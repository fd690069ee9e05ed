from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A rate as a percentage; none (fewer than 30 cases) as a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def change(value: float | None) -> str:
    """A change on the previous period, signed; none (nothing before) as a dash."""
    return "—" if value is None else f"{value * 100:+.1f}%"


@register.filter
def days(value: int | None) -> str:
    return "—" if value is None else _("%(n)s days") % {"n": value}


@register.filter
def thousands(value: float | None) -> str:
    """A count with its thousands marked (48,000) in every language, as Chinese financial
    reports print it (Django's intcomma follows the locale, whose format groups none)."""
    return "—" if value is None else f"{round(value):,}"
