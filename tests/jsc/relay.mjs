// Shared by the jsc drivers: one @@TAG JSON line per event on stdout, and a host `request`
// relayed to the Node runner (tests/jsc/run.mjs), which performs the real HTTP and answers
// on stdin; the answer is delivered in the host's own result shapes.
/* global print, readline */
export const emit = (tag, value) => print(`@@${tag} ${JSON.stringify(value)}`);

let requestId = 0;
/** A host request relayed to the Node runner, answered in the host's own result shapes. */
export function relayedRequest(shape) {
  return (options) => {
    requestId += 1;
    const id = requestId;
    emit('REQ', { id, url: options.url, method: options.method, headers: options.header || options.headers || {}, data: options.data });
    setTimeout(() => {
      const answer = JSON.parse(readline());
      if (answer.id !== id) throw new Error(`relay out of step: ${answer.id} != ${id}`);
      if (answer.networkError) return options.fail(shape === 'alipay' ? { error: 12, errorMessage: answer.networkError } : { errMsg: `request:fail ${answer.networkError}` });
      if (shape === 'alipay') {
        if (answer.status >= 400) options.fail({ error: 19, errorMessage: 'http status error', status: answer.status, data: answer.data, headers: answer.headers });
        else options.success({ data: answer.data, status: answer.status, headers: answer.headers });
      } else options.success({ data: answer.data, header: answer.headers, statusCode: answer.status, errMsg: 'request:ok' });
    }, 0);
    return { abort() {} };
  };
}

