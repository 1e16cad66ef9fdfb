"""证书查验: finding a certificate by the number a visitor types, and when none is found, what to tell them.

Certificates named through the portal carry numbers of one form (`workflow._create_honor`): the level's letter,
the naming committee's six-digit region code, the year and a five-digit serial, e.g. C340800-2025-00012. A number
of that form names its issuing committee even when no certificate has it, so the page can say whom to ask.
Imported historical titles keep the numbers of their paper certificates, of any form.
"""

import re
from dataclasses import dataclass

from apps.organizations.enums import NodeKind
from apps.organizations.models import Node

from .enums import LEVEL_CODES
from .models import Honor

PORTAL_NUMBER = re.compile(r"^(?P<level>[NPCX])(?P<region>\d{6})-(?P<year>\d{4})-(?P<serial>\d{5})$")
LEVELS_BY_CODE = {code: level for level, code in LEVEL_CODES.items()}
EXAMPLE = "C340800-2025-00012"


@dataclass
class NotFound:
    """What the page says about a number that matches no certificate."""

    number: str
    well_formed: bool
    committee: Node | None


def find(number):
    """The honour with this certificate number, or None; a portal number typed in small letters is found too."""
    honors = Honor.objects.select_related("collective__region__parent", "named_by")
    honor = honors.filter(certificate_number=number).first()
    if honor is None and number.upper() != number and PORTAL_NUMBER.match(number.upper()):
        honor = honors.filter(certificate_number=number.upper()).first()
    return honor


def not_found(number):
    match = PORTAL_NUMBER.match(number.upper())
    committee = None
    if match:
        committee = (
            Node.objects.filter(
                kind=NodeKind.LEAGUE_COMMITTEE, region_id=match["region"], level=LEVELS_BY_CODE[match["level"]]
            )
            .order_by("depth", "pk")
            .first()
        )
    return NotFound(number=number, well_formed=bool(match), committee=committee)
