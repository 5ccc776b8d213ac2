"""What each document shows, read from the store: the plain document data (`documents`), the queries that gather it
(`reports`) and the assessment rules (`assessment`)."""
