/* listen.c PORT SECONDS: accepts connections on 127.0.0.1:PORT for SECONDS, then prints how
 * many arrived.  The hostile catalogue's network case must leave it at 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) {
        perror("listen");
        return 2;
    }
    printf("listening\n");
    fflush(stdout);
    int n = 0;
    time_t end = time(NULL) + atoi(argv[2]);
    while (time(NULL) < end) {
        struct pollfd p = {s, POLLIN, 0};
        if (poll(&p, 1, 200) > 0) {
            int c = accept(s, NULL, NULL);
            if (c >= 0) {
                n++, close(c);
                printf("connection\n");
                fflush(stdout);
            }
        }
    }
    printf("connections %d\n", n);
    return 0;
}
