"""What a patient acts on: a "Book a consultation" action near the top and the ways to book at the end of every page,
tap-to-call and email links, the same facts in the JSON-LD, the practitioner with the register that confirms their
number, prices, hours, directions; placeholders shown as such and never made into links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from generator.build import build
from generator.registers import REGISTERS
from generator.render import tel_href
from generator.validate import load_project
from tests.projects import edit

BOOKING_URL = "https://booking.complete-clinic.example/book"


def pages(output: Path):
    for path in sorted(output.rglob("*.html")):
        yield path.relative_to(output).as_posix(), lxml.html.document_fromstring(path.read_text("utf-8"))


def graph(doc) -> dict[str, dict]:
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]')[0].text)
    return {node["@type"]: node for node in data["@graph"]}


def in_order(doc) -> list:
    return list(doc.iter())


def check_booking_actions(output: Path, href: str) -> int:
    """Every page: "Book a consultation" before its first h2 (near the top) leading to `href`, and the ways to book
    after </main> (at the end). Returns the number of pages looked at."""
    count = 0
    for rel, doc in pages(output):
        order = in_order(doc)
        first_h2 = next((order.index(h) for h in doc.xpath("//h2")), len(order))
        top = [a for a in doc.xpath("//a[@href]") if order.index(a) < first_h2
               and " ".join(a.text_content().split()) in ("Book a consultation", "Book a consultation")]
        assert top and all(a.get("href") == href for a in top), rel
        book = doc.xpath('//*[@id="book"]')
        assert len(book) == 1, rel
        main = doc.xpath("//main")[0]
        assert order.index(book[0]) > order.index(main) + len(list(main.iter())) - 1, f"{rel}: #book is not at the end"
        assert book[0].xpath(".//h2")[0].text_content() == "Book a consultation", rel
        count += 1
    return count


def test_every_page_of_the_sample_leads_to_the_ways_to_book(built_sample: Path) -> None:
    """The sample has no booking page: the actions lead to the ways to book at the end of the page."""
    assert check_booking_actions(built_sample, "#book") > 300


def test_every_page_with_a_booking_page_leads_there(built_complete: Path) -> None:
    assert check_booking_actions(built_complete, BOOKING_URL) > 30


def test_the_ways_to_book_are_tap_to_call_and_email_links(built_complete: Path) -> None:
    for rel, doc in pages(built_complete):
        book = doc.xpath('//*[@id="book"]')[0]
        links = {a.get("href"): " ".join(a.text_content().split()) for a in book.xpath(".//a")}
        assert links[BOOKING_URL] == "Book online", rel
        guildford = "/guildford/" in f"/{rel}"        # the pages about the Guildford premises give its phone
        assert (links["tel:+441483960000"] == "01483 960000") if guildford else (
            links["tel:+442079460000"] == "020 7946 0000"), rel
        assert links["mailto:bookings@complete-clinic.example"] == "bookings@complete-clinic.example", rel
    hero = lxml.html.document_fromstring((built_complete / "lip-fillers/index.html").read_text())
    assert hero.xpath('//p[@class="actions"]/a[@href="tel:+442079460000"]')[0].text == "Call 020 7946 0000"


@pytest.mark.parametrize(("phone", "country", "href"), [
    ("020 7946 0000", "GB", "tel:+442079460000"), ("(01483) 960-000", "GB", "tel:+441483960000"),
    ("+44 1932 123456", "GB", "tel:+441932123456"), ("0612 345 678", "NL", "tel:0612345678"),
])
def test_tel_links_dial_the_number_as_written(phone: str, country: str, href: str) -> None:
    assert tel_href(phone, country) == href


def test_the_json_ld_says_how_to_book(built_complete: Path) -> None:
    for rel, doc in pages(built_complete):
        clinic = graph(doc)["MedicalClinic"]
        assert clinic["potentialAction"] == {"@type": "ReserveAction", "target": {
            "@type": "EntryPoint", "urlTemplate": BOOKING_URL}}, rel
        assert clinic["contactPoint"] == {"@type": "ContactPoint", "contactType": "bookings",
                                          "telephone": clinic["telephone"],
                                          "email": "bookings@complete-clinic.example"}, rel
        assert clinic["logo"] == "https://www.complete-clinic.example/images/logo-320.webp"
    home = graph(lxml.html.document_fromstring((built_complete / "index.html").read_text()))["MedicalClinic"]
    assert home["telephone"] == "020 7946 0000" and home["email"] == "hello@complete-clinic.example"
    assert home["image"] == ["https://www.complete-clinic.example/images/front-1200.webp",
                             "https://www.complete-clinic.example/images/room-1200.webp"]
    assert {p["name"] for p in home["employee"]} == {"Dr Sam Ellis", "Alex Morgan", "Priya Shah"}
    sam = next(p for p in home["employee"] if p["name"] == "Dr Sam Ellis")
    assert sam == {"@type": "Person", "name": "Dr Sam Ellis", "jobTitle": "Doctor",
                   "identifier": {"@type": "PropertyValue", "propertyID": "GMC number", "value": "7654321"},
                   "sameAs": "https://www.gmc-uk.org/registrants/7654321"}


def test_placeholders_show_as_such_and_are_never_links(built_sample: Path) -> None:
    project = load_project(built_sample.parent)
    phone = project.site.premises[0].phone
    for rel, doc in pages(built_sample):
        book = doc.xpath('//*[@id="book"]')[0]
        assert book.xpath('.//span[@class="placeholder"]/text()')[0] == phone, rel
        assert not doc.xpath('//a[starts-with(@href, "tel:")]'), rel
        assert "NMC PIN to be confirmed" not in " ".join(a.get("href") for a in doc.xpath("//a[@href]"))
        people = doc.xpath('//section[@id="who"]')
        if people:
            text = " ".join(people[0].text_content().split())
            assert "Registered with the Nursing and Midwifery Council: NMC PIN to be confirmed" in text, rel
            assert "NMC registration NMC PIN" not in text and "NMC PIN NMC PIN" not in text, rel
            assert people[0].xpath('.//span[@class="placeholder"]'), rel


def test_a_booking_placeholder_blocks_deploy_like_any_other(mini_project: Path) -> None:
    site = mini_project / "site.yaml"
    site.write_text(site.read_text() + 'booking:\n  url: !placeholder "Booking page to be confirmed"\n')
    placeholders = load_project(mini_project).placeholders()
    assert any(p.endswith(": booking.url: Booking page to be confirmed") for p in placeholders)
    build(mini_project)
    page = (mini_project / "output/lip-fillers/index.html").read_text()
    assert 'Online: <span class="placeholder">Booking page to be confirmed</span>' in page
    assert '<a class="button" href="#book">Book a consultation</a>' in page     # never to a placeholder


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", '"call 01932 123456 after 9"', 'expected a phone number written alone'),
    ("email", "bookings at clinic", "expected an email address"),
    ("url", "www.clinic.co.uk/book", "expected a full web address"),
])
def test_booking_ways_that_cannot_be_links_are_data_errors(mini_project: Path, field, value, message) -> None:
    from generator.errors import DataError

    site = mini_project / "site.yaml"
    site.write_text(site.read_text() + f"booking:\n  {field}: {value}\n")
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    (problem,) = caught.value.problems
    assert problem.field == f"booking.{field}" and message in problem.message and problem.line


# -- who treats you ----------------------------------------------------------------------------------------------

def test_each_register_link_matches_the_numbers_register(built_complete: Path) -> None:
    """Every practitioner on every page: the link is the one the register table gives for their number, next to
    the number itself; GMC and GDC numbers open their own page, the NMC's search page."""
    project = load_project(built_complete.parent)
    people = {p.name: p for p in project.site.practitioners}
    seen = set()
    for rel, doc in pages(built_complete):
        for card in doc.xpath('//section[@id="who"]//li'):
            name = card.xpath(".//h3")[0].text_content()
            person = people[name]
            register = REGISTERS[person.register]
            number = re.sub(r"\s", "", person.registration_number).upper()
            (line,) = [p for p in card.xpath(".//p") if "Registered with" in p.text_content()]
            assert f"{register.number_name} {number}." in line.text_content(), (rel, name)
            (link,) = line.xpath(".//a/@href")
            assert link == register.link(number), (rel, name)
            seen.add((person.register, link))
    assert seen == {("GMC", "https://www.gmc-uk.org/registrants/7654321"),
                    ("NMC", "https://www.nmc.org.uk/registration/search-the-register/"),
                    ("GDC", "https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber=123456")}


def test_a_page_names_who_provides_its_treatment_where_and_when(built_complete: Path) -> None:
    def who(rel: str) -> list[str]:
        doc = lxml.html.document_fromstring((built_complete / rel).read_text())
        return [" ".join(li.text_content().split()) for li in doc.xpath('//section[@id="who"]//li')]

    lip = who("lip-fillers/esher/index.html")
    assert [w.split(" ")[0] for w in lip] == ["Dr", "Alex", "Priya"]
    assert lip[0].endswith("Provides lip fillers at our West Molesey clinic on Tuesdays and Thursdays.")
    assert lip[2].endswith("Provides lip fillers at our West Molesey clinic.")        # days not given: not said
    peel = who("chemical-peel/index.html")                      # offered at both premises; Alex works at both
    assert peel == [peel[0]] and peel[0].endswith("Provides a chemical peel at our West Molesey clinic on Mondays, "
                                                  "Wednesdays and Fridays and our Guildford clinic on Saturdays.")
    assert who("chemical-peel/guildford/index.html")[0].endswith(
        "Provides a chemical peel at our Guildford clinic on Saturdays.")
    assert who("index.html")[1].endswith("Provides all our treatments at our West Molesey clinic on Mondays, "
                                         "Wednesdays and Fridays and our Guildford clinic on Saturdays.")


def test_a_treatment_no_one_provides_at_a_premises_is_a_data_error(tmp_path: Path) -> None:
    from generator.errors import DataError
    from tests.projects import complete_project

    project = complete_project(tmp_path / "c")
    edit(project / "site.yaml", "      - premises: guildford\n        days: [Sa]\n", "")
    with pytest.raises(DataError) as caught:
        load_project(project)
    (problem,) = caught.value.problems
    assert problem.field == "premises[1].id" and problem.message == "no practitioner provides `chemical-peel` here"


# -- price, place, hours ----------------------------------------------------------------------------------------

def test_a_price_shows_wherever_its_treatment_is_named_as_an_offer(built_complete: Path) -> None:
    def prices(rel: str) -> list[str]:
        doc = lxml.html.document_fromstring((built_complete / rel).read_text())
        return [" ".join(s.text_content().split()) for s in doc.xpath('//main//*[@class="price"]')]

    assert prices("index.html") == ["From £89.50", "From £50", "From £250"]          # no price: none shown
    assert prices("areas/esher/index.html") == ["From £89.50", "From £50", "From £250"]
    assert prices("lip-fillers/index.html") == ["From £250", "From £89.50"]         # its own, and a related one
    assert prices("lip-fillers/esher/index.html") == ["From £250"]
    assert prices("microneedling/esher/index.html") == []


def test_opening_hours_directions_parking_and_access_are_at_the_end(built_complete: Path) -> None:
    doc = lxml.html.document_fromstring((built_complete / "areas/esher/index.html").read_text())
    place = " ".join(" ".join(doc.xpath('//*[@id="place-west-molesey"]')[0].itertext()).split())
    assert ("1 Example Road, West Molesey, Surrey, KT8 1AA Monday to Friday: 9am to 5:30pm Saturday: 10am to 2pm "
            "Directions to Complete Clinic, West Molesey Parking: Free parking for four cars behind the building. "
            "Access: Step-free entrance; the treatment rooms are on the ground floor.") in place
    directions = doc.xpath('//*[@id="place-west-molesey"]//a/@href')
    assert directions == ["https://www.google.com/maps/dir/?api=1&destination=51.39985,-0.37997"]
    assert not doc.xpath("//iframe | //script[@src] | //link[@rel='stylesheet'][starts-with(@href, 'http')]")


def test_no_directions_link_while_the_map_point_is_only_the_towns(built_sample: Path) -> None:
    """The sample's lat/lon is GeoNames' point for West Molesey (exact_location: false): a link would lead to the
    village centre, not the door."""
    text = (built_sample / "areas/esher/index.html").read_text()
    assert "google.com/maps" not in text and "Directions" not in text


def test_the_theme_colours_reach_the_page_and_a_pale_brand_colour_is_refused(built_complete: Path,
                                                                              mini_project: Path) -> None:
    from generator.errors import DataError

    head = (built_complete / "index.html").read_text()
    assert "<style>:root {--brand:#7a2e5c;--brand-dark:#62254a;--tint:" in head
    site = mini_project / "site.yaml"
    site.write_text(site.read_text() + 'theme:\n  brand_colour: "#9ad0f5"\n')
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    (problem,) = caught.value.problems
    assert problem.field == "theme.brand_colour" and "too light" in problem.message
    assert re.search(r'use a darker shade, such as "#[0-9a-f]{6}"', problem.hint)
