"""The register table: each register links to the page that confirms a number (or to its search, with the number
shown), and the data is refused when a number has the wrong shape for its register."""

from __future__ import annotations

import pytest

from generator.errors import DataError
from generator.registers import REGISTERS
from generator.validate import load_project
from tests.projects import edit

# register -> (a number of its shape, the link that confirms it)
LINKS = {
    "GMC": ("7654321", "https://www.gmc-uk.org/registrants/7654321"),
    "NMC": ("12A3456E", "https://www.nmc.org.uk/registration/search-the-register/"),
    "GDC": ("123456", "https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber=123456"),
    "GPhC": ("2012345", "https://www.pharmacyregulation.org/registers/pharmacist/registrationnumber/2012345"),
    "HCPC": ("PA12345", "https://www.hcpc-uk.org/check-the-register/"),
    "JCCP": ("JCCP-1234", "https://www.jccp.org.uk/MemberSearch"),
    "Save Face": ("SF1234", "https://www.saveface.co.uk/find-a-practitioner"),
}


def test_every_register_has_a_link() -> None:
    assert set(LINKS) == set(REGISTERS)


@pytest.mark.parametrize("register", LINKS)
def test_the_link_is_the_registers_own(register: str) -> None:
    number, link = LINKS[register]
    entry = REGISTERS[register]
    assert entry.accepts(number) and entry.example and entry.accepts(entry.example)
    assert entry.link(number) == link
    assert entry.links_to_number == (number in link)
    assert link.startswith("https://")


def test_numbers_are_read_as_registers_write_them() -> None:
    assert REGISTERS["NMC"].accepts("12a 3456e")
    assert REGISTERS["GMC"].link(" 765 4321 ") == "https://www.gmc-uk.org/registrants/7654321"


@pytest.mark.parametrize(("register", "number"), [("GMC", "12A3456E"), ("NMC", "7654321"), ("GDC", "GDC123"),
                                                  ("GPhC", "123")])
def test_a_number_of_another_registers_shape_is_a_data_error(mini_project, register: str, number: str) -> None:
    edit(mini_project / "site.yaml", 'register: NMC\n    registration_number: !placeholder "NMC PIN to be confirmed"',
         f'register: {register}\n    registration_number: "{number}"')
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("site.yaml", "practitioners[0].registration_number")
    assert problem.line is not None
    assert f"expected a {REGISTERS[register].number_name} such as {REGISTERS[register].example}" in problem.message
    assert f"(now {register})" in problem.hint
