//! Binance Open Service: the merchant's half of the Binance mini program flows.
