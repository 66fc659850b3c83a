"""Rules of the identifiers the kiosk meets: one implementation each (pure code, no I/O).

- `identifiers.resident_id`: the GB 11643 check character of resident ID numbers.
- `identifiers.masking`: how ID numbers and names are masked for screens, logs and records.
- `identifiers.credit_code`: unified social credit codes (GB 32100) and organisation codes
  (GB 11714).
- `identifiers.elicence`: e-licence identifiers (GB/T 36904) and their ISO/IEC 7064 MOD 37,36
  check character.

Every layer (drivers, flows, kiosk) may import this package; it imports none of them
(tests/test_layering.py).
"""
