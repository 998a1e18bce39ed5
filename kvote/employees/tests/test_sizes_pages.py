"""Sizes through the Django client: «Mine størrelser» on Min side, the «Størrelser» form of an
employee's edit page and the sizes in the drill-down, and the sizes import and export of
«Mine ansatte»: labels, errors at the field, all or nothing, tenancy, query counts."""

import csv
import html
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from kvote.catalog.models import EmployeeSize
from kvote.catalog.tests.size_helpers import give_sizes, sized_catalogue, sizes_stored
from kvote.people.models import Employee, User

pytestmark = pytest.mark.django_db

MY_SIZES = reverse("my_sizes")
IMPORT = reverse("sizes_import")
EXPORT = reverse("sizes_export")


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    sized_catalogue()


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u00a0", " "))


def edit_url(employee: Employee) -> str:
    return reverse("employee_update", args=[employee.pk])


# --- «Mine størrelser» ------------------------------------------------------------------------


def test_min_side_links_to_my_sizes_for_a_user_with_an_employee_record(holder, buyer):
    assert MY_SIZES in client_of(holder).get(reverse("checkout:my_page")).content.decode()
    buyer.employee.delete()
    client = client_of(buyer)
    assert MY_SIZES not in client.get(reverse("checkout:my_page")).content.decode()
    assert client.get(MY_SIZES).status_code == 404


def test_my_sizes_has_a_labelled_select_per_group_with_a_dash_and_the_groups_sizes(holder):
    give_sizes(holder.employee, shoes="43")
    page = client_of(holder).get(MY_SIZES).content.decode()
    for key, label in [
        ("tops", "Tops and jackets (XS–5XL)"),
        ("trousers_wl", "Trousers (waist/length)"),
        ("shoes", "Shoes (EU)"),
    ]:
        assert f'<label class="ds-label" for="id_sizes-{key}">{label}</label>' in page
        assert f'<select name="sizes-{key}"' in page and f'id="id_sizes-{key}"' in page
    assert "sizes-gloves" not in page  # the catalogue has no gloves
    shoes = re.search(r'<select name="sizes-shoes".*?</select>', page, re.S)
    assert shoes is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)<', shoes.group(0))
    assert options == [("", "", "—"), ("42", "", "42"), ("43", " selected", "43"), ("44", "", "44")]


def test_saving_my_sizes_confirms_and_keeps_what_was_not_changed(holder):
    give_sizes(holder.employee, shoes="43", tops="M")
    client = client_of(holder)
    data = {"form": "sizes", "sizes-tops": "L", "sizes-shoes": "43", "sizes-trousers_wl": ""}
    response = client.post(MY_SIZES, data)
    assert response.status_code == 302 and response["Location"] == MY_SIZES
    assert "Your sizes are saved." in text_of(client.get(MY_SIZES))
    assert sizes_stored(holder.employee) == {"tops": "L", "shoes": "43"}
    client.post(MY_SIZES, {"sizes-tops": "L", "sizes-shoes": "", "sizes-trousers_wl": ""})
    assert sizes_stored(holder.employee) == {"tops": "L"}


def test_a_size_not_offered_is_refused_at_its_field_and_nothing_changes(holder):
    give_sizes(holder.employee, tops="M")
    response = client_of(holder).post(
        MY_SIZES, {"sizes-tops": "S", "sizes-shoes": "49", "sizes-trousers_wl": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a class="ds-link" href="#id_sizes-shoes">Shoes (EU): Choose a size' in page
    assert 'id="id_sizes-shoes-error"' in page
    tops = re.search(r'<select name="sizes-tops".*?</select>', page, re.S)
    assert tops is not None and '<option value="S" selected>' in tops.group(0)  # kept
    assert sizes_stored(holder.employee) == {"tops": "M"}


def test_a_size_the_catalogue_no_longer_has_is_shown_and_kept_by_saving(holder):
    give_sizes(holder.employee, tops="XXL")
    client = client_of(holder)
    page = client.get(MY_SIZES).content.decode()
    assert '<option value="XXL" selected>XXL (no longer in the catalogue)</option>' in page
    client.post(MY_SIZES, {"sizes-tops": "XXL", "sizes-shoes": "44", "sizes-trousers_wl": ""})
    assert sizes_stored(holder.employee) == {"tops": "XXL", "shoes": "44"}


def test_my_sizes_reads_and_saves_in_a_fixed_number_of_queries(holder, django_assert_num_queries):
    client = client_of(holder)
    client.get(MY_SIZES)
    # session, user, employee record, sizes, groups, and whether the user is a budget holder
    with django_assert_num_queries(6):
        assert client.get(MY_SIZES).status_code == 200
    data = {"sizes-tops": "L", "sizes-shoes": "42", "sizes-trousers_wl": "W32/L34"}
    # session, user, the profile (employee, sizes, groups), then the service: employee,
    # groups, savepoint, upsert, release, the sizes after
    with django_assert_num_queries(11):
        assert client.post(MY_SIZES, data).status_code == 302


# --- «Mine ansatte»: the edit page and the drill-down ------------------------------------------


def test_the_supervisor_keeps_sizes_on_the_employees_edit_page(leader, team):
    client = client_of(leader)
    page = client.get(edit_url(team[0])).content.decode()
    assert 'id="sizes-heading">Sizes</h2>' in page
    assert '<label class="ds-label" for="id_sizes-shoes">Shoes (EU)</label>' in page
    response = client.post(
        edit_url(team[0]), {"form": "sizes", "sizes-shoes": "44", "sizes-tops": "XL"}
    )
    assert response.status_code == 302 and response["Location"].startswith(edit_url(team[0]))
    assert f"The sizes of {team[0].name} are saved." in text_of(client.get(response["Location"]))
    assert sizes_stored(team[0]) == {"shoes": "44", "tops": "XL"}
    team[0].refresh_from_db()
    assert team[0].name == "Anne Berg"  # the name form is not touched


def test_a_refused_size_on_the_edit_page_shows_there_with_the_name_form_intact(leader, team):
    response = client_of(leader).post(
        edit_url(team[0]), {"form": "sizes", "sizes-shoes": "49", "sizes-tops": "XL"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_sizes-shoes-error"' in page
    assert 'value="Anne Berg"' in page
    assert not EmployeeSize.objects.exists()


def test_sizes_of_an_employee_out_of_reach_are_404(leader, outsider, fjord, admin):
    response = client_of(leader).post(edit_url(outsider), {"form": "sizes", "sizes-tops": "L"})
    assert response.status_code == 404
    response = client_of(fjord.admin).post(edit_url(outsider), {"form": "sizes", "sizes-tops": "L"})
    assert response.status_code == 404
    assert not EmployeeSize.objects.exists()
    client_of(admin).post(edit_url(outsider), {"form": "sizes", "sizes-tops": "L"})
    assert sizes_stored(outsider) == {"tops": "L"}


def test_the_drill_down_shows_the_sizes_compactly_with_a_link_to_change_them(leader, team):
    give_sizes(team[0], shoes="43", tops="L")
    url = reverse("employee_purchases", args=[team[0].pk])
    page = client_of(leader).get(url)
    assert "Sizes Tops and jackets (XS–5XL): L , Shoes (EU): 43" in text_of(page)
    assert "Change sizes" in text_of(page) and f"{edit_url(team[0])}?" in page.content.decode()
    empty = client_of(leader).get(reverse("employee_purchases", args=[team[1].pk]))
    assert "No sizes yet" in text_of(empty)


def test_the_edit_page_reads_a_fixed_number_of_queries(leader, team, django_assert_num_queries):
    give_sizes(team[0], shoes="43")
    client = client_of(leader)
    client.get(edit_url(team[0]))
    # session, user, employee, the profile (employee, sizes, groups), budget holder, and the
    # kit choice (the company's kits, the employee's)
    with django_assert_num_queries(9):
        assert client.get(edit_url(team[0])).status_code == 200


# --- Import and export --------------------------------------------------------------------------


def upload(client: Client, text: str):
    data = io.BytesIO(("\ufeff" + text).encode("utf-8"))
    data.name = "storrelser.csv"
    return client.post(IMPORT, {"file": data})


def test_the_import_sets_every_rows_sizes_and_leaves_groups_without_a_column(leader, team):
    give_sizes(team[0], trousers_wl="W34/L34", tops="S")
    client = client_of(leader)
    text = "ansattnummer;navn;Tops and jackets (XS–5XL);shoes\n101;Anne;xl;43\n102;;M;\n"
    response = upload(client, text)
    assert response.status_code == 302
    assert "Saved the sizes of 2 employees." in text_of(client.get(IMPORT))
    assert sizes_stored(team[0]) == {"tops": "XL", "shoes": "43", "trousers_wl": "W34/L34"}
    assert sizes_stored(team[1]) == {"tops": "M"}


def test_the_import_lists_every_bad_cell_and_changes_nothing(leader, team, outsider):
    give_sizes(team[0], tops="S")
    text = (
        "employee number,Shoes (EU),tops\n"
        "101,43,L\n"
        "102,49,M\n"  # row 3: no shoe 49
        "999,42,L\n"  # row 4: nobody
        "900,42,L\n"  # row 5: another supervisor's
        "203,42,XXXL\n"  # row 6
    )
    response = upload(client_of(leader), text)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was changed" in page and "4 rows have errors" in page
    assert (
        "Row 3, Shoes (EU): 49 is not in the catalogue. The sizes of Shoes (EU): 42, 43, 44."
        in page
    )
    assert "Row 4: no employee of yours has the employee number 999." in page
    assert "Row 5: no employee of yours has the employee number 900." in page
    assert "Row 6, Tops and jackets (XS–5XL): XXXL is not in the catalogue." in page
    assert sizes_stored(team[0]) == {"tops": "S"}
    assert not EmployeeSize.objects.exclude(employee=team[0]).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ansattnummer;hatt\n101;M\n", "The column “hatt” is neither the employee number"),
        ("navn;shoes\nAnne;43\n", "The first row must name the columns: employee number"),
        ("ansattnummer;navn\n101;Anne\n", "The first row must name the columns: employee number"),
        ("ansattnummer;Shoes (EU);shoes\n101;43;43\n", "The column “Shoes (EU)” is there twice."),
        ("ansattnummer;shoes\n", "The file has no employees below the header row."),
    ],
)
def test_a_file_that_cannot_be_read_says_why_at_the_field(leader, text, message):
    response = upload(client_of(leader), text)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not EmployeeSize.objects.exists()


def test_norwegian_labels_and_messages(leader, team):
    User.objects.filter(pk=leader.pk).update(language="nb")
    text = "Ansattnummer;Sko (EU);Overdeler og jakker (XS–5XL)\n101;49;L\n"
    page = text_of(upload(client_of(leader), text))
    assert "Rad 2, Sko (EU): 49 finnes ikke i katalogen. Størrelsene i Sko (EU): 42, 43" in page
    upload(client_of(leader), "Ansattnummer;Sko (EU);Overdeler og jakker (XS–5XL)\n101;43;L\n")
    assert sizes_stored(team[0]) == {"shoes": "43", "tops": "L"}


def test_the_export_lists_my_employees_with_their_sizes_and_imports_back_unchanged(
    leader, team, outsider
):
    give_sizes(team[0], shoes="43", tops="L")
    client = client_of(leader)
    response = client.get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "Employee number",
        "Name",
        "Tops and jackets (XS–5XL)",
        "Trousers (waist/length)",
        "Shoes (EU)",
    ]
    assert ["101", "Anne Berg", "L", "", "43"] in rows
    assert ["1001", "Liv Leder", "", "", ""] in rows  # their own record
    assert all(row[0] != "900" for row in rows)  # another supervisor's
    before = dict(EmployeeSize.objects.values_list("pk", "size"))
    assert upload(client, content).status_code == 302
    assert dict(EmployeeSize.objects.values_list("pk", "size")) == before


def test_import_and_export_are_for_supervisors_and_admins(holder):
    client = client_of(holder)
    assert client.get(IMPORT).status_code == 404
    assert client.get(EXPORT).status_code == 404


@pytest.mark.parametrize("count", [2, 20])
def test_import_and_export_take_a_fixed_number_of_queries(admin, count, django_assert_num_queries):
    from tests.factories import EmployeeFactory

    for n in range(count):
        EmployeeFactory(company=admin.company, number=f"7{n:03}")
    client = client_of(admin)
    # session, user, employees, sizes, groups
    with django_assert_num_queries(5):
        assert client.get(EXPORT).status_code == 200
    lines = "".join(f"7{n:03};L;43\n" for n in range(count))
    # session, user, savepoint; the rows checked (employees, groups); the write of every
    # change (employees, groups, savepoint, upsert, release); release
    with django_assert_num_queries(11):
        assert upload(client, "ansattnummer;tops;shoes\n" + lines).status_code == 302
    assert EmployeeSize.objects.count() == 2 * count
