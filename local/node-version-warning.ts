/**
 * The AWS SDK warns on every start that it will need Node.js 22 from 2027. The local tools run on
 * Node.js 20 by design (Lambda runs 22+), so the warning is noise here. Imported first, before any
 * module that loads the SDK; a value already set in the environment wins.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
