"""Country names as catalogue entries (`country.VN`: 베트남 / Viet Nam), from crm.countries."""

from crm.countries import codes, name

KO: dict[str, str] = {f"country.{code}": name(code, "ko") for code in codes()}
EN: dict[str, str] = {f"country.{code}": name(code, "en") for code in codes()}
