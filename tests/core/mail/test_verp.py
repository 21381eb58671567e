"""A bounce finds its reminder by the token in the return path or in the Message-ID."""

from core.mail.message import message_id
from core.mail.verp import return_path, token_from_address, token_from_message_id

TOKEN = "0123456789abcdef01234567"


def test_the_return_path_carries_the_token_and_comes_back_to_the_same_mailbox():
    path = return_path("relances@groupe.example", TOKEN)
    assert path == f"relances+encours-{TOKEN}@groupe.example"
    assert token_from_address(f"Original-Recipient: rfc822; <{path.upper()}>") == TOKEN
    assert return_path("relances+old@groupe.example", TOKEN) == path


def test_our_message_id_gives_the_token_back_and_others_give_nothing():
    assert token_from_message_id(message_id(TOKEN, "relances@groupe.example")) == TOKEN
    assert token_from_message_id("<CAF=abc@mail.gmail.com>") is None
    assert token_from_address("client@exemple.fr") is None
