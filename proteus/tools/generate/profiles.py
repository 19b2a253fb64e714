"""Generator profiles: how clean the identifiers of the generated traffic are.

    default   the week described in docs/events.md (unchanged byte for byte)
    noisy     mistyped and transposed logins and MSISDNs, a login kept in another spelling on
              one device, persons with a second (work) account, persons with 5-6 devices whose
              app id and cookie are synced across them, cookie churn, app ids restored from a
              family member's device, and low-entropy cookies that collide
    weak      no logins and no MSISDNs at all: only cookies, app ids and IPs (synced, restored
              and colliding as in `noisy`)

Each knob models one mechanism of real traffic; `Profile()` is the default profile, whose
values reproduce the default week exactly (no knob draws random numbers there).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProfileName = Literal["default", "noisy", "weak"]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ProfileName = "default"
    personal_devices_p: tuple[float, ...] = Field(
        default=(0.2, 0.38, 0.3, 0.12),
        description="share of persons with 1, 2, ... personal devices")
    logins: bool = Field(default=True, description="traffic carries logins")
    msisdns: bool = Field(default=True, description="traffic carries MSISDNs")
    login_typo_rate: float = Field(
        default=0.0, description="login values typed with one character wrong or two swapped")
    msisdn_typo_rate: float = Field(
        default=0.0, description="MSISDN values with two digits transposed or one wrong")
    login_variant_rate: float = Field(
        default=0.0, description="logged-in devices whose app keeps the login in another "
        "spelling (an alias, or a mistyped address saved once)")
    second_account_rate: float = Field(
        default=0.0, description="named persons who also use a second (work) account")
    synced_app_rate: float = Field(
        default=0.0, description="persons whose app id is synced across their devices")
    synced_cookie_rate: float = Field(
        default=0.0, description="persons whose browser profile (cookie) is synced")
    cookie_reset: float = Field(default=0.3, description="devices whose cookie resets a day")
    restored_app_rate: float = Field(
        default=0.0, description="devices of multi-person households whose app id was "
        "restored from another member's device backup")
    cookie_collision_rate: float = Field(
        default=0.0, description="new cookies drawn from a low-entropy generator (a few "
        "thousand values a day), so unrelated devices can get the same one")

    @property
    def is_default(self) -> bool:
        return self.name == "default"


PROFILES: dict[str, Profile] = {
    "default": Profile(),
    "noisy": Profile(
        name="noisy", personal_devices_p=(0.18, 0.34, 0.27, 0.11, 0.06, 0.04),
        login_typo_rate=0.03, msisdn_typo_rate=0.02, login_variant_rate=0.03,
        second_account_rate=0.06, synced_app_rate=0.3, synced_cookie_rate=0.15,
        cookie_reset=0.6, restored_app_rate=0.02, cookie_collision_rate=0.005),
    "weak": Profile(
        name="weak", personal_devices_p=(0.18, 0.34, 0.27, 0.11, 0.06, 0.04), logins=False,
        msisdns=False, synced_app_rate=0.6, synced_cookie_rate=0.3, cookie_reset=0.6,
        restored_app_rate=0.02, cookie_collision_rate=0.005),
}


def profile_named(name: str) -> Profile:
    return PROFILES[name]
