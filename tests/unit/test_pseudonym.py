import hashlib

from transforms.pseudonym import mask_id, mask_phone, person_key

ID = "11010519491231002X"


def test_person_key_is_keyed_not_a_plain_hash():
    a = person_key(ID, b"k" * 32)
    b = person_key(ID, b"j" * 32)
    assert a != b
    assert a not in hashlib.sha256(ID.encode()).hexdigest()


def test_person_key_normalises_lowercase_x():
    assert person_key(ID.lower(), b"k" * 32) == person_key(ID, b"k" * 32)


def test_masks():
    assert mask_id(ID) == "110105********002X"
    assert mask_phone("13812341234") == "138****1234"
