"""Payment provider adapters behind the dues context's payment port
(`domain.dues.PaymentProvider`): the `sandbox` provider, shaped like WeChat Pay API v3."""
