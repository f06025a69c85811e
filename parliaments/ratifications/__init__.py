"""Rabat §7(a): which states are party to which of the instruments in the reference data,
since when, on whose word. `models` keeps one status per state and instrument, `formats`
reads the official lists (the UN Treaty Collection's XML, NORMLEX's tables, our CSV) and
`services` applies what they say without ever letting an older source win."""
