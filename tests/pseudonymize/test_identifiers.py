"""No identifier left behind: numbers by their shape, contact details whole, the final pass."""

from __future__ import annotations

import pytest

from study.pseudonymize.__main__ import main
from study.pseudonymize.apply import apply_all, leftovers
from study.pseudonymize.codekey import Category, CodeKey, CodeKeyError
from study.pseudonymize.suggest import suggest


def one(text: str) -> tuple[str, Category, str]:
    (found,) = suggest(text)
    return found.text, found.category, found.reason


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("850372-1234", "samordningsnummer (fel kontrollsiffra)"),
        ("701063-2391", "samordningsnummer"),
        ("556677-8899", "organisationsnummer"),
        ("802412-3456", "organisationsnummer"),
        ("5566778899", "organisationsnummer"),
        ("19850312+1234", "personnummer (fel kontrollsiffra)"),
    ],
)
def test_numbers_shaped_like_identity_numbers_are_found_with_their_kind(number, reason):
    assert one(f"Numret var {number} enligt papperet.") == (number, Category.ID_NUMBER, reason)


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("Det gäller dnr 2024-1234 hos nämnden.", "2024-1234"),
        ("Vi fick ärendenummer KS 2023/456 till slut.", "KS 2023/456"),
        ("Hennes diarienummer är SOC-2022-00871, tror jag.", "SOC-2022-00871"),
        ("I målnummer T 1234-23 blev det avslag.", "T 1234-23"),
        ("Beslutet har BUN 2021/88 på sig.", "BUN 2021/88"),
        ("Bilen, ABC 123, stod kvar.", "ABC 123"),
        ("Han körde en XYZ 12D hela vintern.", "XYZ 12D"),
        ("Regnumret var abc 123 minns jag.", "abc 123"),
    ],
)
def test_case_diary_and_registration_numbers_are_identifiers(said, number):
    text, category, _reason = one(said)
    assert (text, category) == (number, Category.ID_NUMBER)


@pytest.mark.parametrize("said", ["Hon fick LSS 123 timmar.", "Vi läste SFI 101 i höstas."])
def test_abbreviations_with_a_number_are_no_registration_plates(said):
    assert not [s for s in suggest(said) if s.category is Category.ID_NUMBER]


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "0701234567",
        "+46 70 123 45 67",
        "070 12 34 567",
        "noll sju noll, ett två tre, fyrtiofem sextiosju",
        "noll sjuttio, eh, hundratjugotre fyrtiofem sextiosju",
        "plus fyrtiosex sjuttio tolv trettiofyra femtiosex sju",
    ],
)
def test_phone_numbers_in_groups_or_in_words_are_found_whole(phone):
    text, category, _reason = one(f"Ring mig på {phone} i morgon.")
    assert (text, category) == (phone, Category.CONTACT)


def test_counting_aloud_is_no_phone_number():
    assert suggest("Tre, två, ett, noll! Hon var noll år då, och sju av tio kom.") == []


def test_a_handle_is_a_contact_detail():
    assert one("Följ henne på @mira_jonsson92 om du vill.") == (
        "@mira_jonsson92",
        Category.CONTACT,
        "användarnamn",
    )


KEY_WITH_A_PERSON_ONLY = [["Bodil Ek", "PER"]]


@pytest.mark.parametrize("accept", [False, True])
def test_an_address_with_a_school_and_a_town_in_it_is_replaced_whole(accept):
    text = (
        "Bodil Ek skriver från bodil.ek@vallaskolan.goteborg.se, och bodil@skola.lerum.se, "
        "eller se vallaskolan.linkoping.se/personal/bodil och @bodil_ek."
    )
    (done,) = apply_all([text], CodeKey.from_rows(KEY_WITH_A_PERSON_ONLY), accept=accept)
    for part in ("bodil", "vallaskolan", "goteborg", "lerum", "linkoping", "skola."):
        assert part not in done.text.lower(), done.text
    assert "[e-postadress]" in done.text and "[e-postadress 2]" in done.text
    assert "[användarnamn]" in done.text
    if accept:
        assert "[webbadress]" in done.text
    assert not [x for x in leftovers(done.text) if "adress" in x[2]] or not accept


def test_a_service_everyone_uses_is_no_web_address_to_hide():
    assert suggest("Jag letade på Hitta.se och Blocket.se.") == []


def test_after_apply_what_still_looks_like_an_identifier_is_reported():
    text = "Kontonummer 1234 5678 9012 och telefon 070-123 45 67.\nPnr 850312-1235."
    report = leftovers(text)
    assert [(line, what) for line, _column, what in report] == [
        (1, "en lång sifferföljd"),
        (1, "telefonnummer"),
        (2, "personnummer (fel kontrollsiffra)"),
    ]
    (done,) = apply_all([text], CodeKey(), accept=True)
    assert [what for _l, _c, what in leftovers(done.text)] == ["en lång sifferföljd"]


# The key on the command line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        ("Anna Berg,PER,Maja\nanna berg,PER,Lisa\n", "rows 2 and 3"),
        ("Anna Berg,PER,Maja\nEva Ek,PER,Maja\n", "rows 2 and 3: 'Anna Berg', 'Eva Ek' share"),
        ("Anna Berg,PER,Anna Berg\n", "row 2: the pseudonym of 'Anna Berg' is the term itself"),
        ("Anna Berg,PER,Eva Ek\nEva Ek,PER,Sara\n", "row 2: the pseudonym 'Eva Ek'"),
    ],
)
def test_a_key_that_contradicts_itself_is_refused_with_its_rows_named(
    tmp_path, capsys, rows, named
):
    (tmp_path / "key.csv").write_text("term,category,pseudonym\n" + rows, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Anna Berg och Eva Ek.", encoding="utf-8")
    status = main(
        [
            "apply",
            str(tmp_path / "a.txt"),
            "--key",
            str(tmp_path / "key.csv"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert status == 1
    assert named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_places_may_share_a_placeholder_on_purpose():
    CodeKey.from_rows([["Lerum", "LOC", "[ort]"], ["Alingsås", "LOC", "[ort]"]])
    with pytest.raises(CodeKeyError):
        CodeKey.from_rows([["Lerum", "LOC", "Ort A"], ["Alingsås", "LOC", "Ort A"]])


def run(folder, *extra) -> int:
    return main(
        [
            "apply",
            str(folder / "a.txt"),
            str(folder / "b.txt"),
            "--key",
            str(folder / "key.csv"),
            "--accept-suggestions",
            *extra,
        ]
    )


def test_apply_writes_its_pseudonyms_back_and_a_second_run_changes_nothing(tmp_path, capsys):
    (tmp_path / "key.csv").write_text("term,category\nBodil Ek,PER\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Bodil Ek bor i Lerum, ring 070-123 45 67.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Hon heter Saga Lind och känner Bodil.", encoding="utf-8")
    assert run(tmp_path, "--out", str(tmp_path / "first")) == 0
    key = CodeKey.from_csv(tmp_path / "key.csv")
    assert all(entry.pseudonym for entry in key)
    assert {"Bodil Ek", "Saga Lind", "Lerum", "070-123 45 67"} <= {e.term for e in key}
    written = (tmp_path / "key.csv").read_text(encoding="utf-8")
    assert run(tmp_path, "--out", str(tmp_path / "second")) == 0
    assert (tmp_path / "key.csv").read_text(encoding="utf-8") == written
    for name in ("a.txt", "b.txt"):
        assert (tmp_path / "first" / name).read_text() == (tmp_path / "second" / name).read_text()
    # A separate key file leaves the original as it was.
    (tmp_path / "key.csv").write_text("term,category\nBodil Ek,PER\n", encoding="utf-8")
    assert (
        run(tmp_path, "--out", str(tmp_path / "third"), "--key-out", str(tmp_path / "k2.csv")) == 0
    )
    assert (tmp_path / "key.csv").read_text() == "term,category\nBodil Ek,PER\n"
    assert (tmp_path / "k2.csv").read_text(encoding="utf-8") == written
    assert (tmp_path / "third" / "a.txt").read_text() == (tmp_path / "first" / "a.txt").read_text()


def test_an_output_never_replaces_an_input_and_a_failed_run_leaves_nothing(tmp_path, capsys):
    (tmp_path / "key.csv").write_text("term,category\nBodil Ek,PER\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Bodil Ek bor i Lerum.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Hon heter Saga Lind.", encoding="utf-8")
    assert run(tmp_path, "--out", str(tmp_path)) == 1
    assert "would replace an input" in capsys.readouterr().err
    assert (tmp_path / "a.txt").read_text() == "Bodil Ek bor i Lerum."
    # b.txt cannot be read as UTF-8: nothing at all is written, the key is untouched.
    (tmp_path / "b.txt").write_bytes(b"Hon heter \xff Saga.")
    assert run(tmp_path, "--out", str(tmp_path / "out")) == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert (tmp_path / "key.csv").read_text() == "term,category\nBodil Ek,PER\n"
