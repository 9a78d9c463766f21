"""Displaced families and shelter sites, as pure domain code: the standard files' rows (sites,
registrations, movements), the vulnerabilities list, the movement log's reading into occupancy,
needs assessments, HXL rows and the registration XLSForm. No I/O: services/shelter*.py stores
and reads; the faces show."""
