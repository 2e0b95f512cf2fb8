"""The tutorials' "Hello, {name}" server on aiohttp.web, for bench/server.mjs.

Prints "listening PORT" once it accepts connections (port 0: a free one).
"""
import asyncio
import socket

from aiohttp import web


async def handle(request):
    name = request.match_info.get("name", "Anonymous")
    return web.Response(text="Hello, " + name)


async def main():
    app = web.Application()
    app.add_routes([web.get("/hello/{name}", handle)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    print("listening", sock.getsockname()[1], flush=True)
    await asyncio.Event().wait()  # until the process is killed


if __name__ == "__main__":
    asyncio.run(main())
