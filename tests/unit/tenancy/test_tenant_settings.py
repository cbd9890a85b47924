import pytest

from domain.shared.errors import DomainError
from domain.tenancy import (
    TenantSettings,
    TenantSettingsOverride,
    effective_settings,
    json_schema,
    validate_override,
)


def errors_of(overrides: list[object]) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as exc:
        effective_settings(overrides)
    assert exc.value.code == "tenant_settings_invalid"
    return [(e.field, e.code) for e in exc.value.errors]


def test_defaults_respect_burden_reduction_and_the_2018_rules() -> None:
    settings = effective_settings([])
    assert settings.rankings_enabled is False
    assert settings.self_checkin_required is False
    assert settings.dues_rounding == "half_up"
    assert settings.transfer_letter_validity_days == 90
    assert settings.meeting_frequencies.branch_congress == "quarterly"
    assert settings.meeting_frequencies.theme_day == "monthly"
    assert settings.meeting_frequencies.democratic_review == "yearly"


def test_later_levels_override_earlier_ones() -> None:
    settings = effective_settings(
        [
            {"rankings_enabled": True, "transfer_letter_validity_days": 30},
            {"transfer_letter_validity_days": 10},
        ]
    )
    assert settings.rankings_enabled is True
    assert settings.transfer_letter_validity_days == 10


def test_meeting_frequencies_merge_per_kind() -> None:
    settings = effective_settings(
        [
            {"meeting_frequencies": {"party_lecture": "quarterly"}},
            {"meeting_frequencies": {"theme_day": "quarterly"}},
        ]
    )
    frequencies = settings.meeting_frequencies
    assert (frequencies.party_lecture, frequencies.theme_day) == ("quarterly", "quarterly")
    assert frequencies.committee_meeting == "monthly"


def test_null_inherits_instead_of_clearing() -> None:
    settings = effective_settings([{"rankings_enabled": True}, {"rankings_enabled": None}])
    assert settings.rankings_enabled is True


def test_nested_errors_carry_the_json_path() -> None:
    assert errors_of(
        [{"meeting_frequencies": {"theme_day": "weekly", "daily_study": "monthly"}}]
    ) == [
        ("meeting_frequencies.theme_day", "not_allowed_value"),
        ("meeting_frequencies.daily_study", "unknown_field"),
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"transfer_letter_validity_days": 0}, ("transfer_letter_validity_days", "too_small")),
        ({"transfer_letter_validity_days": 181}, ("transfer_letter_validity_days", "too_large")),
        (
            {"transfer_letter_validity_days": "90"},
            ("transfer_letter_validity_days", "must_be_integer"),
        ),
        ({"rankings_enabled": "yes"}, ("rankings_enabled", "must_be_boolean")),
        ({"dues_rounding": "bankers"}, ("dues_rounding", "not_allowed_value")),
        ({"ranking": True}, ("ranking", "unknown_field")),
        ({"meeting_frequencies": "monthly"}, ("meeting_frequencies", "must_be_object")),
        ([1, 2], ("$", "must_be_object")),
    ],
)
def test_invalid_documents_are_refused_per_field(
    document: object, expected: tuple[str, str]
) -> None:
    assert errors_of([document]) == [expected]


def test_an_invalid_level_is_refused_even_below_valid_ones() -> None:
    assert errors_of([{"checkin_grace_minutes": 10}, {"checkin_grace_minutes": -1}]) == [
        ("checkin_grace_minutes", "too_small")
    ]


def test_error_messages_are_bilingual() -> None:
    with pytest.raises(DomainError) as exc:
        validate_override({"dues_base_mode": "monthly"})
    message = exc.value.errors[0].message
    assert "from_month_paid" in message.zh
    assert "from_month_paid" in message.en


def test_every_setting_can_be_overridden() -> None:
    assert set(TenantSettingsOverride.model_fields) == set(TenantSettings.model_fields)


def test_schema_describes_the_override_document() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(TenantSettings.model_fields)
