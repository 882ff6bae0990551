"""Ask an associate: a shopper at the shelf asks for help; the store's associates see the
request on their phones (/pos/requests), one claims it and walks over or answers by text."""
