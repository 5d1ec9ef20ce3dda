// The AWS SDK warns, once per loaded copy, that its 2027 releases will need Node 22. Jest loads
// a fresh copy for every spec file, so the suite's output would repeat it dozens of times; the
// application itself still shows it once at start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
