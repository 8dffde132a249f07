"""The Files of a port request (typed documents, encrypted at rest) and the Letter of
Authorization with its e-signature: services, API and the Files tab."""
