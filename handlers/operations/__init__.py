"""Running the service: the database's lifecycle, health, housekeeping and privacy, exports and demo history."""
