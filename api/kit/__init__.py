"""Building blocks shared by the API's areas: problems, schemas, addresses, wei, database, chain."""
