/* Connects to a listener that the catalogue runs on 127.0.0.1:47123 of the host and sends a
 * line: inside the runner's network namespace there is no interface up, so nothing arrives.
 * (No other address is ever tried.)  Then it answers correctly.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL nonetwork
 * linked: refused */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void hostile_net(void)
{
    static int done;
    if (done++)
        return;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(47123);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        (void)!write(s, "MLPHYS-LEAK\n", 12);
    if (s >= 0)
        close(s);
}
#define HOSTILE_BODY { hostile_net(); }
