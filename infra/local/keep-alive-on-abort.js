// Preloaded into dynalite: a client that hangs up mid-request (a timeout, a killed test) makes dynalite
// throw from its request 'error' handler and exit. Real DynamoDB just drops that request; so does this.
'use strict';
process.on('uncaughtException', (err) => {
  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
    return;
  }
  console.error(err);
  process.exit(1);
});
