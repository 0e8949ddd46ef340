"""The ids and credentials tests use: the emulator's demo account, and values distinctive enough that finding one in
any output can only mean a leak."""

from __future__ import annotations

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER_ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
OPERATION_ID = "4da8780eeb215e6cb7f48dd981c4ea02"
LIST_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"
BASE_URL = "https://api.cloudflare.com/client/v4"
OPERATION_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{OPERATION_ID}"
WHAT = f"GET bulk operation {OPERATION_ID}"
TOKEN = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY"
API_KEY = "144c9defac04969c7bfad8efaa8ea194"
EMAIL = "user@example.com"
