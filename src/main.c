/* The arayis command line: picks a subcommand and hands it the remaining arguments. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("arayis " ARAYIS_VERSION);
    return 0;
}
