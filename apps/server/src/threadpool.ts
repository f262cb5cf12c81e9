// Imported first by main.ts: libuv reads UV_THREADPOOL_SIZE when its pool first starts.
// Every accepted message costs several fsyncs on the pool; the default 4 threads would
// queue them behind each other under many concurrent SMTP sessions.
process.env.UV_THREADPOOL_SIZE ??= '16';
export {};
