"""The public registers a patient can check a practitioner's number on: who keeps each, what the number looks like,
and the address that confirms it.

Where a register has a page per number, the link opens that page; where it has only a search form (the NMC, the
HCPC, the voluntary registers), the link opens the search and the page shows the number to type in. The addresses
are the regulators' own public register pages as published and widely linked in 2026 (GMC `registrants/<number>`,
GDC `SearchResult?RegistrationNumber=`, GPhC `registrationnumber/<number>`); they cannot be checked from the build
machine, so a regulator that moves its register needs one change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Register:
    id: str                      # as written in site.yaml `practitioners[].register`
    title: str                   # who keeps it, as a sentence names it: "the General Medical Council"
    number_name: str             # what the number is called
    number_pattern: re.Pattern[str] | None   # what a real number looks like (None: any text)
    example: str                 # a number of the right shape, for error hints
    search_url: str              # the public search page
    number_url: str | None = None    # a page per number: "{number}" is replaced

    def link(self, number: str) -> str:
        """The address that confirms `number`: its own page where the register has one, else the search page."""
        if self.number_url:
            return self.number_url.replace("{number}", quote(normalise_number(number), safe=""))
        return self.search_url

    @property
    def links_to_number(self) -> bool:
        return self.number_url is not None

    def accepts(self, number: str) -> bool:
        return self.number_pattern is None or bool(self.number_pattern.fullmatch(normalise_number(number)))


def normalise_number(number: str) -> str:
    """A registration number as registers spell it: no spaces, capital letters."""
    return re.sub(r"\s+", "", str(number)).upper()


REGISTERS: dict[str, Register] = {r.id: r for r in (
    Register("GMC", "the General Medical Council", "GMC number", re.compile(r"\d{7}"), "1234567",
             "https://www.gmc-uk.org/registration-and-licensing/the-medical-register",
             "https://www.gmc-uk.org/registrants/{number}"),
    Register("NMC", "the Nursing and Midwifery Council", "NMC PIN", re.compile(r"\d{2}[A-Z]\d{4}[A-Z]"), "12A3456E",
             "https://www.nmc.org.uk/registration/search-the-register/"),
    Register("GDC", "the General Dental Council", "GDC number", re.compile(r"\d{1,6}"), "123456",
             "https://olr.gdc-uk.org/SearchRegister",
             "https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber={number}"),
    Register("GPhC", "the General Pharmaceutical Council", "GPhC number", re.compile(r"\d{7}"), "2012345",
             "https://www.pharmacyregulation.org/registers/pharmacist",
             "https://www.pharmacyregulation.org/registers/pharmacist/registrationnumber/{number}"),
    Register("HCPC", "the Health and Care Professions Council", "HCPC number", re.compile(r"[A-Z]{2,3}\d{3,7}"),
             "PA12345", "https://www.hcpc-uk.org/check-the-register/"),
    Register("JCCP", "the Joint Council for Cosmetic Practitioners", "JCCP number", None, "JCCP-1234",
             "https://www.jccp.org.uk/MemberSearch"),
    Register("Save Face", "Save Face", "Save Face membership number", None, "SF1234",
             "https://www.saveface.co.uk/find-a-practitioner"),
)}
