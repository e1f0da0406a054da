/* The subcommands of the arayis binary; each takes its own argv (argv[0] is the subcommand) and returns the exit status. */
#ifndef ARAYIS_CLI_COMMANDS_H
#define ARAYIS_CLI_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_certificates(int argc, char **argv);
int cmd_csr(int argc, char **argv);
int cmd_billing(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_sms(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_webhooks(int argc, char **argv);

#endif
