"""The demo and the benchmark's data: ``seed_demo`` builds the small demo site that ``make run``
serves, through the services; ``generate_load_data`` fills an empty database at scale for the
benchmarks. Neither is product code: no models, no URLs, and no product app imports this one."""
